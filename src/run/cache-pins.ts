import fs from 'node:fs/promises';
import path from 'node:path';
import { isRunning } from './leftovers.ts';

/**
 * A run in progress pins the compile-cache entries it uses: an entry used (stored or hit, which
 * touches it) since the start of a run that still runs is never evicted, so a run that needs more
 * than the size limit does not evict, least recently used first, exactly what it needs next (a
 * trap's debug re-run, a later case of the same script). The cache may exceed its limit until the
 * run ends; the next prune trims it. A marker per run: `<cache>/runs/<run id>-p<pid>.json`.
 */
export async function pinRun(compileDir: string, runId: string, pid = process.pid): Promise<() => Promise<void>> {
  const dir = path.join(compileDir, 'runs');
  await fs.mkdir(dir, { recursive: true });
  const marker = path.join(dir, `${runId.replace(/[^\w.-]/g, '_')}-p${pid}.json`);
  await fs.writeFile(marker, JSON.stringify({ runId, pid, startedAtMs: Date.now() }));
  return () => fs.rm(marker, { force: true });
}

/** The start of the oldest run still running (ms since the epoch), or Infinity when none; markers of dead runs go. */
export async function pinnedSince(compileDir: string): Promise<number> {
  const dir = path.join(compileDir, 'runs');
  let since = Number.POSITIVE_INFINITY;
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    const file = path.join(dir, name);
    const pid = Number(/-p(\d+)\.json$/.exec(name)?.[1]);
    if (!pid || !isRunning(pid)) {
      await fs.rm(file, { force: true });
      continue;
    }
    const started = await fs.readFile(file, 'utf8').then(
      (t) => Number((JSON.parse(t) as { startedAtMs?: number }).startedAtMs),
      () => NaN,
    );
    if (Number.isFinite(started)) since = Math.min(since, started);
  }
  return since;
}
