import type { ResolvedOptions } from '../config/options.ts';
import type { DoctorLine } from './line.ts';
import { runProcess } from '../process/run.ts';
import { resolveExecutable } from '../process/which.ts';

export interface ConfiguredRuntimesCheck {
  lines: DoctorLine[];
  /** runtime name -> its executable, resolved */
  found: Record<string, string>;
  versions: Record<string, string>;
  problems: Record<string, string>;
}

/** Each runtime of `runtimes:` in the config: is its executable there, and what version does it say it is. */
export async function checkConfiguredRuntimes(options: ResolvedOptions): Promise<ConfiguredRuntimesCheck> {
  const check: ConfiguredRuntimesCheck = { lines: [], found: {}, versions: {}, problems: {} };
  const needed = (name: string) => options.targets.some((t) => t.runtime === name);
  await Promise.all(
    Object.entries(options.runtimes).map(async ([name, template]) => {
      const head = template.command[0] as string;
      const exe = resolveExecutable(head);
      if (!exe) {
        check.problems[name] =
          `runtime ${name}: ${head} not found on PATH: install it, or fix runtimes.${name}.command in the config`;
        check.lines.push({ tool: name, status: 'missing', needed: needed(name), message: check.problems[name] });
        return;
      }
      const version = template.versionArgs.length ? await firstLineOf([exe, ...template.versionArgs]) : 'found';
      if (version === undefined) {
        check.problems[name] =
          `runtime ${name}: \`${[head, ...template.versionArgs].join(' ')}\` did not answer: is ${exe} a runtime? (runtimes.${name}.versionArgs: [] skips this probe)`;
        check.lines.push({
          tool: name,
          status: 'missing',
          command: exe,
          needed: needed(name),
          message: check.problems[name],
        });
        return;
      }
      check.found[name] = exe;
      check.versions[name] = version;
      check.lines.push({ tool: name, status: 'ok', command: exe, version, needed: needed(name) });
    }),
  );
  return check;
}

async function firstLineOf(command: string[]): Promise<string | undefined> {
  const out = await runProcess(command, { cwd: process.cwd(), timeoutMs: 20_000 }).catch(() => undefined);
  if (!out || out.spawnError || out.timedOut) return undefined;
  return `${out.stdout.text}\n${out.stderr.text}`.trim().split('\n')[0]?.trim() || 'found';
}
