import fs from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { historyEntryOf, type HistoryEntry } from '../records/history.ts';
import { readRunResults } from '../records/read.ts';
import type { RunResults } from '../types.ts';
import type { CallstacksReport } from '../diagnose/callstacks.ts';

export interface ReportFiles {
  results: RunResults;
  markdown: string;
  callstacks?: CallstacksReport | undefined;
  html: string;
  historySize: number;
}

/** Each file is written whole or not at all: an interrupted run never leaves half a report. */
export async function writeReportFiles(dir: string, files: ReportFiles): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await writeFileAtomic(path.join(dir, 'results.json'), `${JSON.stringify(files.results, null, 2)}\n`);
  await writeFileAtomic(path.join(dir, 'summary.md'), files.markdown);
  if (files.callstacks)
    await writeFileAtomic(path.join(dir, 'callstacks.json'), `${JSON.stringify(files.callstacks, null, 2)}\n`);
  await writeFileAtomic(path.join(dir, 'index.html'), files.html);
  await appendHistory(dir, files.results, files.historySize);
}

async function appendHistory(dir: string, results: RunResults, keep: number): Promise<void> {
  const historyDir = path.join(dir, 'history');
  await fs.mkdir(historyDir, { recursive: true });
  const name = `${results.run.endedAt.replace(/[:.]/g, '-')}.json`;
  await writeFileAtomic(path.join(historyDir, name), JSON.stringify(historyEntryOf(results)));
  const entries = (await fs.readdir(historyDir)).filter((f) => f.endsWith('.json')).sort();
  for (const old of entries.slice(0, Math.max(0, entries.length - keep)))
    await fs.rm(path.join(historyDir, old), { force: true });
}

/** Earlier runs, oldest first; entries that cannot be read (damaged, of a newer version) are skipped. */
export async function readHistory(dir: string): Promise<HistoryEntry[]> {
  const historyDir = path.join(dir, 'history');
  const entries = (await fs.readdir(historyDir).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
  const runs: HistoryEntry[] = [];
  for (const entry of entries) {
    try {
      runs.push(historyEntryOf(await readRunResults(path.join(historyDir, entry))));
    } catch {
      // a damaged history entry only costs one point of the trend
    }
  }
  return runs;
}
