import fs from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
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

/** The slim copy of a run kept for trends: codes, not outputs. */
function slimResults(results: RunResults): RunResults {
  return {
    ...results,
    records: results.records.map((r) => ({
      schemaVersion: r.schemaVersion,
      chapter: r.chapter,
      recipe: r.recipe,
      example: r.example,
      case: r.case,
      target: r.target,
      code: r.code,
      codeName: r.codeName,
      msg: r.msg.length > 500 ? `${r.msg.slice(0, 500)}...` : r.msg,
      durations: r.durations,
      tools: {},
    })),
  };
}

async function appendHistory(dir: string, results: RunResults, keep: number): Promise<void> {
  const historyDir = path.join(dir, 'history');
  await fs.mkdir(historyDir, { recursive: true });
  const name = `${results.run.endedAt.replace(/[:.]/g, '-')}.json`;
  await writeFileAtomic(path.join(historyDir, name), JSON.stringify(slimResults(results)));
  const entries = (await fs.readdir(historyDir)).filter((f) => f.endsWith('.json')).sort();
  for (const old of entries.slice(0, Math.max(0, entries.length - keep)))
    await fs.rm(path.join(historyDir, old), { force: true });
}

/** Earlier runs, oldest first; unreadable entries are skipped. */
export async function readHistory(dir: string): Promise<RunResults[]> {
  const historyDir = path.join(dir, 'history');
  const entries = (await fs.readdir(historyDir).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
  const runs: RunResults[] = [];
  for (const entry of entries) {
    try {
      runs.push(JSON.parse(await fs.readFile(path.join(historyDir, entry), 'utf8')) as RunResults);
    } catch {
      // a damaged history entry only costs one point of the trend
    }
  }
  return runs;
}
