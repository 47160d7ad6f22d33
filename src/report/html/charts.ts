// Inline SVG charts of the HTML report: outcomes per chapter (stacked bars) and the trend across runs.

import { countCodes, emptyCounts, type CodeCounts } from '../../records.ts';
import type { HistoryEntry } from '../../records/history.ts';
import { CASE_ERROR_NAMES, CaseErrorCode, type RunResults } from '../../types.ts';
import type { ChapterRow } from '../summary.ts';
import { CODE_COLORS } from './codes.ts';
import { esc } from './escape.ts';

function niceStep(max: number, ticks: number): number {
  if (max <= 0) return 1;
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  return Math.max(1, step);
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** Horizontal grid lines with their value at the left, every `step` up to `axisMax`. */
function grid(left: number, right: number, axisMax: number, step: number, y: (v: number) => number): string[] {
  const parts: string[] = [];
  for (let v = 0; v <= axisMax; v += step) {
    parts.push(`<line class="grid" x1="${left}" x2="${fmt(right)}" y1="${fmt(y(v))}" y2="${fmt(y(v))}"/>`);
    parts.push(`<text class="tick" x="${left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end">${v}</text>`);
  }
  return parts;
}

/**
 * Stacked bars: one bar per chapter, one segment per outcome code (OK at the bottom, code order up).
 * `<g class="bar" data-chapter>` per chapter, `<rect class="seg" data-code>` per non-empty segment.
 * `yMax` is shared by every target's chart, so bars compare across charts.
 */
export function renderChapterChart(
  rows: readonly ChapterRow[],
  chapters: readonly string[],
  target: string,
  yMax: number,
): string {
  const barW = 26;
  const gap = 12;
  const left = 44;
  const top = 12;
  const plotH = 220;
  const bottom = 34;
  const width = left + chapters.length * (barW + gap) + gap;
  const height = top + plotH + bottom;
  const byChapter = new Map(rows.map((r) => [r.chapter, r.counts]));
  const step = niceStep(yMax, 5);
  const axisMax = Math.max(step, Math.ceil(yMax / step) * step);
  const y = (v: number) => top + plotH - (v / axisMax) * plotH;
  const parts: string[] = [
    `<svg class="chart bars" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(`outcomes per chapter for ${target}`)}">`,
    ...grid(left, width - gap / 2, axisMax, step, y),
  ];
  chapters.forEach((chapter, i) => {
    const x = left + gap + i * (barW + gap);
    const counts: CodeCounts = byChapter.get(chapter) ?? emptyCounts();
    const total = CASE_ERROR_NAMES.reduce((a, n) => a + counts[n], 0);
    parts.push(`<g class="bar" data-chapter="${esc(chapter)}" data-total="${total}">`);
    let acc = 0;
    for (const name of CASE_ERROR_NAMES) {
      const n = counts[name];
      if (!n) continue;
      const y1 = y(acc + n);
      const h = y(acc) - y1;
      parts.push(
        `<rect class="seg" data-code="${CaseErrorCode[name]}" data-count="${n}" x="${x}" y="${fmt(y1)}" width="${barW}" height="${fmt(h)}" fill="${CODE_COLORS[name]}"><title>${esc(`chapter ${chapter} · ${name}: ${n}`)}</title></rect>`,
      );
      acc += n;
    }
    parts.push(
      `<text class="xlabel" x="${x + barW / 2}" y="${top + plotH + 16}" text-anchor="middle">${esc(chapter)}</text>`,
    );
    parts.push(
      `<text class="total" x="${x + barW / 2}" y="${fmt(y(total) - 3)}" text-anchor="middle">${total || ''}</text>`,
    );
    parts.push('</g>');
  });
  parts.push(
    `<text class="axis-title" x="${left + (width - left) / 2}" y="${height - 4}" text-anchor="middle">chapter</text>`,
  );
  parts.push('</svg>');
  return parts.join('');
}

export interface TrendPoint {
  label: string;
  ok: number;
  failures: number;
  bypass: number;
}

/** A run's point of the trend. Failures = every code but OK and BYPASS. */
export function trendPointOf(run: Partial<RunResults['run']> | undefined, counts: CodeCounts): TrendPoint {
  const failures = CASE_ERROR_NAMES.filter((n) => n !== 'OK' && n !== 'BYPASS').reduce((a, n) => a + counts[n], 0);
  // labelled by when a run ended: the order the history keeps them in
  const when =
    typeof run?.endedAt === 'string' ? run.endedAt : typeof run?.startedAt === 'string' ? run.startedAt : '?';
  return {
    label: `${when.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')}${run?.source === 'pickle' ? ' (legacy)' : ''}`,
    ok: counts.OK,
    failures,
    bypass: counts.BYPASS,
  };
}

/** The trend point of an earlier run (a slim history entry). */
export function trendPoint(run: HistoryEntry): TrendPoint {
  return trendPointOf(run.run, countCodes(run.records));
}

/** Line chart of OK and failure counts across runs: `<polyline class="line" data-series>` and one `<circle>` per run. */
export function renderTrendChart(points: readonly TrendPoint[]): string {
  const left = 48;
  const right = 110; // room for the last rotated date label
  const top = 14;
  const plotH = 200;
  const bottom = 64;
  const stepX = points.length > 1 ? Math.max(40, Math.min(110, 900 / (points.length - 1))) : 0;
  const width = left + right + Math.max(1, points.length - 1) * (stepX || 80);
  const height = top + plotH + bottom;
  const yMaxRaw = Math.max(1, ...points.map((p) => Math.max(p.ok, p.failures)));
  const step = niceStep(yMaxRaw, 5);
  const axisMax = Math.ceil(yMaxRaw / step) * step;
  const x = (i: number) => (points.length > 1 ? left + i * stepX : left + (width - left - right) / 2);
  const y = (v: number) => top + plotH - (v / axisMax) * plotH;
  const parts: string[] = [
    `<svg class="chart trend" xmlns="http://www.w3.org/2000/svg" width="${fmt(width)}" height="${height}" viewBox="0 0 ${fmt(width)} ${height}" role="img" aria-label="OK and failures across runs">`,
    ...grid(left, width - right + 10, axisMax, step, y),
  ];
  const series: { key: 'ok' | 'failures'; name: string; color: string }[] = [
    { key: 'ok', name: 'OK', color: CODE_COLORS.OK },
    { key: 'failures', name: 'failures', color: CODE_COLORS.WASM_EXECUTION_FAILURE },
  ];
  for (const s of series) {
    const pts = points.map((p, i) => `${fmt(x(i))},${fmt(y(p[s.key]))}`).join(' ');
    parts.push(
      `<polyline class="line" data-series="${s.key}" fill="none" stroke="${s.color}" stroke-width="2" points="${pts}"/>`,
    );
    points.forEach((p, i) => {
      parts.push(
        `<circle class="point" data-series="${s.key}" cx="${fmt(x(i))}" cy="${fmt(y(p[s.key]))}" r="3.5" fill="${s.color}"><title>${esc(`${p.label}: ${s.name} ${p[s.key]}`)}</title></circle>`,
      );
    });
  }
  points.forEach((p, i) => {
    parts.push(
      `<text class="xlabel" transform="translate(${fmt(x(i))},${top + plotH + 12}) rotate(30)" text-anchor="start">${esc(p.label.slice(0, 16))}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}
