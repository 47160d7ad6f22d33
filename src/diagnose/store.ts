import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { CaseDiagnosis, CaseRecord, CaseStack, DiagnosisResult } from '../types.ts';
import { caseId } from '../records.ts';
import type { AnyDiagnostic } from './types.ts';

const sha = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

/**
 * Where diagnoses are kept, under the cache folder: finished results by (compile key, kind) like
 * compiles, traps' call stacks by what they depend on (see stack-cache.ts), and per run the diagnosis each failure group got, so the group's other cases (in any
 * worker) inherit it. A watch session is one run: a case whose group did not change inherits again.
 */
export class DiagnosisStore {
  constructor(
    readonly dir: string,
    readonly runId: string,
  ) {}

  /**
   * What a diagnostic's result depends on: the wasm (compile key), the tools' versions, the runtime's
   * executable itself (`runtime`: see executableIdentity), the kind and its version.
   */
  async resultKey(record: CaseRecord, diagnostic: AnyDiagnostic, runtime: string): Promise<string> {
    const tools = Object.entries(record.tools).sort(([a], [b]) => (a < b ? -1 : 1));
    // an interpreted target has no compile key: the script's own text stands for it
    const script =
      record.compile?.cacheKey ??
      (record.scriptPath
        ? sha(await fs.readFile(record.scriptPath, 'utf8').catch(() => record.scriptPath!))
        : caseId(record));
    return sha(JSON.stringify([diagnostic.kind, diagnostic.version, record.target.name, script, tools, runtime]));
  }

  async getResult(key: string): Promise<DiagnosisResult | undefined> {
    return readJson<DiagnosisResult>(path.join(this.dir, 'results', key.slice(0, 2), `${key}.json`));
  }

  /** Only finished results are kept: a failure or a timeout is tried again next time. */
  async putResult(key: string, result: DiagnosisResult): Promise<void> {
    if (result.status !== 'ok') return;
    const file = path.join(this.dir, 'results', key.slice(0, 2), `${key}.json`);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, JSON.stringify(result));
  }

  getStack(key: string): Promise<CaseStack | undefined> {
    return readJson<CaseStack>(path.join(this.dir, 'stacks', key.slice(0, 2), `${key}.json`));
  }

  async putStack(key: string, stack: CaseStack): Promise<void> {
    const file = path.join(this.dir, 'stacks', key.slice(0, 2), `${key}.json`);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, JSON.stringify({ ...stack, cached: undefined }));
  }

  groupLock(groupKey: string): string {
    return path.join(this.dir, 'locks', `${sha(`${this.runId}\0${groupKey}`).slice(0, 32)}.lock`);
  }

  private groupFile(groupKey: string): string {
    return path.join(this.dir, 'runs', this.runId, `${sha(groupKey).slice(0, 32)}.json`);
  }

  getGroup(groupKey: string): Promise<CaseDiagnosis | undefined> {
    return readJson<CaseDiagnosis>(this.groupFile(groupKey));
  }

  async putGroup(diagnosis: CaseDiagnosis): Promise<void> {
    const file = this.groupFile(diagnosis.groupKey);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, JSON.stringify(diagnosis));
  }

  private lastGroupFile(groupKey: string, toolsKey: string): string {
    return path.join(this.dir, 'groups', `${sha(`${toolsKey}\0${groupKey}`).slice(0, 32)}.json`);
  }

  /**
   * The diagnosis a failure group got in an earlier run with the same tools, and the compile key of
   * the case it was found on: a warm re-run in which another case of the group comes first (the
   * workers' order varies) inherits it instead of re-compiling that case.
   */
  getLastGroup(
    groupKey: string,
    toolsKey: string,
  ): Promise<{ diagnosis: CaseDiagnosis; compileKey: string | null } | undefined> {
    return readJson(this.lastGroupFile(groupKey, toolsKey));
  }

  async putLastGroup(
    groupKey: string,
    toolsKey: string,
    diagnosis: CaseDiagnosis,
    compileKey: string | null,
  ): Promise<void> {
    const file = this.lastGroupFile(groupKey, toolsKey);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, JSON.stringify({ diagnosis, compileKey }));
  }

  /** Group records of runs older than `maxAgeMs` go (a run's own are needed only while it lasts). */
  async pruneRuns(maxAgeMs = 24 * 3600_000): Promise<void> {
    const runs = path.join(this.dir, 'runs');
    const names = await fs.readdir(runs).catch(() => [] as string[]);
    for (const name of names.filter((n) => n !== this.runId)) {
      const stat = await fs.stat(path.join(runs, name)).catch(() => undefined);
      if (stat && Date.now() - stat.mtimeMs > maxAgeMs)
        await fs.rm(path.join(runs, name), { recursive: true, force: true });
    }
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
