import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';

// A GitHub Actions workflow's run: steps, executed here the way the runner executes them, so a
// test runs the workflow's own commands rather than a copy of them.

export interface WorkflowStep {
  id?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string | number>;
  with?: Record<string, string | number | boolean>;
}

export interface Workflow {
  env?: Record<string, string>;
  defaults?: { run?: { shell?: string } };
  jobs: Record<string, { steps: WorkflowStep[]; strategy?: { matrix?: Record<string, unknown[]> } }>;
}

export async function readWorkflow(file: string): Promise<Workflow> {
  const workflow = parse(await fs.readFile(file, 'utf8')) as Workflow;
  if (!workflow?.jobs) throw new Error(`${file}: no jobs`);
  return workflow;
}

/** The step of `job` with this id, or the first step using this action (`actions/cache/save`). */
export function findStep(workflow: Workflow, job: string, idOrAction: string): WorkflowStep {
  const steps = workflow.jobs[job]?.steps ?? [];
  const found = steps.find((s) => s.id === idOrAction || s.uses?.split('@')[0] === idOrAction);
  if (!found) throw new Error(`the workflow's job ${job} has no step ${idOrAction}`);
  return found;
}

/** Context values by their dotted names (`matrix.shard`, `steps.cache-key.outputs.key`). */
export type ExpressionContext = Record<string, string | number>;

/** `${{ name }}` replaced by its value; any other expression is an error naming it (the test must learn it). */
export function expand(text: string, context: ExpressionContext): string {
  return text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, name: string) => {
    const value = context[name];
    if (value === undefined) throw new Error(`no value for \${{ ${name} }} in: ${text}`);
    return String(value);
  });
}

export interface StepRun {
  exitCode: number;
  output: string;
  /** What the step wrote to $GITHUB_OUTPUT (`name=value` lines). */
  outputs: Record<string, string>;
}

/**
 * Runs a step's script in `cwd` as the runner runs `shell: bash` (`bash --noprofile --norc -eo
 * pipefail`), with the workflow's env, the step's env expanded, and files for $GITHUB_OUTPUT,
 * $GITHUB_ENV and $GITHUB_STEP_SUMMARY (`summary`, shared by a job's steps).
 */
export async function runStep(
  workflow: Workflow,
  step: WorkflowStep,
  opts: { cwd: string; env: Record<string, string>; context?: ExpressionContext; summary: string },
): Promise<StepRun> {
  if (workflow.defaults?.run?.shell !== 'bash') throw new Error('the workflow must run its scripts with shell: bash');
  if (!step.run) throw new Error(`step ${step.id ?? step.uses} has no run: script`);
  const files = await fs.mkdtemp(path.join(os.tmpdir(), 'workflow-step-'));
  const script = path.join(files, 'script.sh');
  await fs.writeFile(script, step.run);
  const stepEnv = Object.fromEntries(
    Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v), opts.context ?? {})]),
  );
  const outputFile = path.join(files, 'output');
  await fs.writeFile(outputFile, '');
  const run = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
    cwd: opts.cwd,
    env: {
      ...workflow.env,
      ...opts.env,
      ...stepEnv,
      GITHUB_OUTPUT: outputFile,
      GITHUB_ENV: path.join(files, 'env'),
      GITHUB_STEP_SUMMARY: opts.summary,
    },
    reject: false,
    all: true,
    timeout: 600_000,
  });
  const outputs = Object.fromEntries(
    (await fs.readFile(outputFile, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const at = line.indexOf('=');
        if (at < 0) throw new Error(`step ${step.id}: a $GITHUB_OUTPUT line this helper cannot read: ${line}`);
        return [line.slice(0, at), line.slice(at + 1)];
      }),
  );
  await fs.rm(files, { recursive: true, force: true });
  return { exitCode: run.exitCode ?? -1, output: run.all ?? '', outputs };
}
