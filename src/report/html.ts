// The HTML report: ONE self-contained file (inline CSS, inline SVG charts, a little inline vanilla JS;
// no network, no external scripts or fonts). Pure: returns a string.
//
// Everything that comes from records (case names, program output, messages, tool versions, stack
// frames) is escaped with esc(); nothing from a record is ever placed inside <script> or <style>.

import {
  CASE_ERROR_NAMES,
  CaseErrorCode,
  type CapturedText,
  type CaseErrorName,
  type CaseRecord,
  type RawFrame,
  type RunResults,
} from '../types.ts';
import { caseId, codeNameOf, compareChapters, countCodes, isFailure, runTargets } from '../records.ts';
import { classifyFailure, groupFailures } from './taxonomy.ts';

export interface HtmlReportOptions {
  /** Earlier runs, oldest first. The current run is appended as the last point of the trend. */
  history?: RunResults[];
  /** Call-stack groups, read loosely: `{ cases: string[]; frames: {function, file?, line?}[]; note?; link? }[]`. */
  stacks?: unknown;
  /** The run's Markdown summary, shown (rendered by a small safe subset renderer) in a collapsed section. */
  summaryMarkdown?: string;
  title?: string;
}

/** Colour of each outcome, by code (seed order). */
export const CODE_COLORS: Record<CaseErrorName, string> = {
  OK: '#2e7d32',
  COMPILATION_FAILURE: '#7b1fa2',
  WASM_EXECUTION_FAILURE: '#c62828',
  PY_EXECUTION_FAILURE: '#ef6c00',
  DIFFERENT_RESULT: '#f9a825',
  BYPASS: '#9e9e9e',
  WASM_EXECUTION_TIMEOUT: '#1565c0',
  PY_EXECUTION_TIMEOUT: '#00838f',
};

/** Output longer than this (characters) is cut to head + tail in the report (results.json has it all). */
export const MAX_OUTPUT_CHARS = 40_000;
const MAX_FRAMES = 40;

// ---------------------------------------------------------------------------------------------------------
// Escaping

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for HTML content and (double- or single-quoted) attribute values. C0 control characters
 * (but tab and newlines) and DEL are shown as Unicode control pictures (ESC -> ␛), so terminal escape
 * sequences in program output stay visible and harmless.
 */
export function esc(value: unknown): string {
  const s = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
  return s
    .replace(/[&<>"']/g, (c) => ESCAPES[c]!)
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, (c) => String.fromCharCode(c === '\x7f' ? 0x2421 : 0x2400 + c.charCodeAt(0)));
}

function capText(s: string, max = MAX_OUTPUT_CHARS): string {
  if (s.length <= max) return s;
  const head = Math.floor(max * 0.7);
  const tail = max - head;
  return `${s.slice(0, head)}\n[... ${s.length - max} characters left out of the report; results.json has the captured text ...]\n${s.slice(-tail)}`;
}

function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as CapturedText).text === 'string') return (v as CapturedText).text;
  return '';
}

// ---------------------------------------------------------------------------------------------------------
// Data helpers


interface StackFrame {
  function: string;
  file?: string;
  line?: number;
}
interface StackGroup {
  cases: string[];
  frames: StackFrame[];
  note?: string;
  link?: string;
}

/** Keeps what looks like a stack group; drops anything else. */
export function readStacks(stacks: unknown): StackGroup[] {
  if (!Array.isArray(stacks)) return [];
  const out: StackGroup[] = [];
  for (const g of stacks) {
    if (!g || typeof g !== 'object') continue;
    const o = g as Record<string, unknown>;
    if (!Array.isArray(o.cases) || !Array.isArray(o.frames)) continue;
    const frames: StackFrame[] = [];
    for (const f of o.frames) {
      if (!f || typeof f !== 'object') continue;
      const fo = f as Record<string, unknown>;
      const fn = typeof fo.function === 'string' ? fo.function : typeof fo.name === 'string' ? fo.name : '?';
      frames.push({
        function: fn,
        ...(typeof fo.file === 'string' ? { file: fo.file } : {}),
        ...(typeof fo.line === 'number' ? { line: fo.line } : {}),
      });
    }
    out.push({
      cases: o.cases.filter((c): c is string => typeof c === 'string'),
      frames,
      ...(typeof o.note === 'string' ? { note: o.note } : {}),
      ...(typeof o.link === 'string' ? { link: o.link } : {}),
    });
  }
  return out;
}


// ---------------------------------------------------------------------------------------------------------
// SVG charts

function niceStep(max: number, ticks: number): number {
  if (max <= 0) return 1;
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  return Math.max(1, step);
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/**
 * Stacked bars: one bar per chapter, one segment per outcome code (OK at the bottom, seed order up).
 * `<g class="bar" data-chapter>` per chapter, `<rect class="seg" data-code>` per non-empty segment.
 */
export function renderChapterChart(records: readonly CaseRecord[], chapters: readonly string[], target: string, yMax: number): string {
  const barW = 26;
  const gap = 12;
  const left = 44;
  const top = 12;
  const plotH = 220;
  const bottom = 34;
  const width = left + chapters.length * (barW + gap) + gap;
  const height = top + plotH + bottom;
  const byChapter = new Map<string, CaseRecord[]>();
  for (const r of records) {
    const list = byChapter.get(r.chapter) ?? [];
    list.push(r);
    byChapter.set(r.chapter, list);
  }
  const step = niceStep(yMax, 5);
  const axisMax = Math.max(step, Math.ceil(yMax / step) * step);
  const y = (v: number) => top + plotH - (v / axisMax) * plotH;
  const parts: string[] = [];
  parts.push(
    `<svg class="chart bars" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(`outcomes per chapter for ${target}`)}">`,
  );
  for (let v = 0; v <= axisMax; v += step) {
    parts.push(`<line class="grid" x1="${left}" x2="${width - gap / 2}" y1="${fmt(y(v))}" y2="${fmt(y(v))}"/>`);
    parts.push(`<text class="tick" x="${left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end">${v}</text>`);
  }
  chapters.forEach((chapter, i) => {
    const x = left + gap + i * (barW + gap);
    const counts = countCodes(byChapter.get(chapter) ?? []);
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
    parts.push(`<text class="xlabel" x="${x + barW / 2}" y="${top + plotH + 16}" text-anchor="middle">${esc(chapter)}</text>`);
    parts.push(`<text class="total" x="${x + barW / 2}" y="${fmt(y(total) - 3)}" text-anchor="middle">${total || ''}</text>`);
    parts.push('</g>');
  });
  parts.push(`<text class="axis-title" x="${left + (width - left) / 2}" y="${height - 4}" text-anchor="middle">chapter</text>`);
  parts.push('</svg>');
  return parts.join('');
}

export interface TrendPoint {
  label: string;
  ok: number;
  failures: number;
  bypass: number;
}

/** Failures = every code but OK and BYPASS. */
export function trendPoint(run: RunResults): TrendPoint {
  const c = countCodes(run.records ?? []);
  const failures = CASE_ERROR_NAMES.filter((n) => n !== 'OK' && n !== 'BYPASS').reduce((a, n) => a + c[n], 0);
  const when = typeof run.run?.startedAt === 'string' ? run.run.startedAt : '?';
  return { label: `${when.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')}${run.run?.source === 'pickle' ? ' (legacy)' : ''}`, ok: c.OK, failures, bypass: c.BYPASS };
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
  ];
  for (let v = 0; v <= axisMax; v += step) {
    parts.push(`<line class="grid" x1="${left}" x2="${fmt(width - right + 10)}" y1="${fmt(y(v))}" y2="${fmt(y(v))}"/>`);
    parts.push(`<text class="tick" x="${left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end">${v}</text>`);
  }
  const series: { key: 'ok' | 'failures'; name: string; color: string }[] = [
    { key: 'ok', name: 'OK', color: CODE_COLORS.OK },
    { key: 'failures', name: 'failures', color: CODE_COLORS.WASM_EXECUTION_FAILURE },
  ];
  for (const s of series) {
    const pts = points.map((p, i) => `${fmt(x(i))},${fmt(y(p[s.key]))}`).join(' ');
    parts.push(`<polyline class="line" data-series="${s.key}" fill="none" stroke="${s.color}" stroke-width="2" points="${pts}"/>`);
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

// ---------------------------------------------------------------------------------------------------------
// Minimal Markdown (safe subset: headings, paragraphs, lists, pipe tables, fenced code, inline code, bold).
// Every tag is generated here; the source text is always escaped. Raw HTML in the source is dropped
// for <details>/<summary>/<sub>/<sup>/<br> (layout only) and shown escaped otherwise.

const LAYOUT_TAGS = /<\/?(?:details|summary|sub|sup|br)\s*\/?>/gi;

function mdInline(src: string): string {
  const out: string[] = [];
  let i = 0;
  let text = '';
  const flushText = () => {
    if (!text) return;
    // escaped characters were turned into \uE000-based placeholders before bold/tag handling
    const stripped = text.replace(LAYOUT_TAGS, '');
    const escaped = esc(stripped).replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>');
    out.push(escaped.replace(/\uE000(\d+)\uE001/g, (_m, n: string) => esc(String.fromCharCode(Number(n)))));
    text = '';
  };
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === '\\' && i + 1 < src.length && /[!-/:-@[-`{-~]/.test(src[i + 1]!)) {
      text += `\uE000${src.charCodeAt(i + 1)}\uE001`;
      i += 2;
      continue;
    }
    if (ch === '`') {
      let n = 0;
      while (src[i + n] === '`') n++;
      const fence = '`'.repeat(n);
      let j = src.indexOf(fence, i + n);
      while (j >= 0 && src[j + n] === '`') {
        let k = j;
        while (src[k] === '`') k++;
        j = src.indexOf(fence, k);
      }
      if (j >= 0) {
        flushText();
        let code = src.slice(i + n, j);
        if (code.length > 1 && code.startsWith(' ') && code.endsWith(' ') && code.trim()) code = code.slice(1, -1);
        out.push(`<code>${esc(code)}</code>`);
        i = j + n;
        continue;
      }
      text += fence;
      i += n;
      continue;
    }
    text += ch;
    i++;
  }
  flushText();
  return out.join('');
}

function splitTableRow(line: string): string[] {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  const cells: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && s[i + 1] === '|') {
      cur += '|';
      i++;
    } else if (s[i] === '|') {
      cells.push(cur.trim());
      cur = '';
    } else cur += s[i];
  }
  cells.push(cur.trim());
  return cells;
}

export function renderMarkdown(md: string): string {
  const lines = md.split(/\r\n|\r|\n/);
  const out: string[] = [];
  let para: string[] = [];
  const flushPara = () => {
    const text = para.map((l) => l.trim()).filter((l) => l.replace(LAYOUT_TAGS, '').trim());
    if (text.length) out.push(`<p>${text.map(mdInline).join('<br>')}</p>`);
    para = [];
  };
  const isTableSep = (l: string | undefined) => l !== undefined && /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/.test(l);
  const listItem = /^(\s{0,3})[-*+]\s+(.*)$/;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence) {
      flushPara();
      const marker = fence[1]!;
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.trim().startsWith(marker)) body.push(lines[i++]!);
      out.push(`<pre class="md-code"><code>${esc(body.join('\n'))}</code></pre>`);
      continue;
    }
    if (!line.trim()) {
      flushPara();
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flushPara();
      const level = Math.min(6, heading[1]!.length + 2);
      out.push(`<h${level}>${mdInline(heading[2]!)}</h${level}>`);
      continue;
    }
    if (line.trim().startsWith('|') && isTableSep(lines[i + 1])) {
      flushPara();
      const head = splitTableRow(line);
      const aligns = splitTableRow(lines[i + 1]!).map((c) => (c.endsWith(':') ? 'right' : 'left'));
      i += 2;
      const rows: string[][] = [];
      while (i < lines.length && lines[i]!.trim().startsWith('|')) rows.push(splitTableRow(lines[i++]!));
      i--;
      const cell = (tag: string, c: string, k: number) => `<${tag} style="text-align:${aligns[k] ?? 'left'}">${mdInline(c)}</${tag}>`;
      out.push(
        `<table class="md-table"><thead><tr>${head.map((c, k) => cell('th', c, k)).join('')}</tr></thead><tbody>${rows
          .map((r) => `<tr>${r.map((c, k) => cell('td', c, k)).join('')}</tr>`)
          .join('')}</tbody></table>`,
      );
      continue;
    }
    if (listItem.test(line)) {
      flushPara();
      const items: string[][] = [];
      while (i < lines.length) {
        const l = lines[i]!;
        const m = listItem.exec(l);
        if (m) {
          items.push([m[2]!]);
          i++;
          continue;
        }
        // continuation: indented lines, also after blank lines when the next text line is indented
        if (/^\s{2,}\S/.test(l)) {
          items[items.length - 1]!.push(l.trim());
          i++;
          continue;
        }
        if (!l.trim()) {
          let k = i;
          while (k < lines.length && !lines[k]!.trim()) k++;
          if (k < lines.length && (/^\s{2,}\S/.test(lines[k]!) || listItem.test(lines[k]!))) {
            i = k;
            continue;
          }
        }
        break;
      }
      i--;
      out.push(
        `<ul>${items
          .map((it) => `<li>${it.filter((l) => l.replace(LAYOUT_TAGS, '').trim()).map(mdInline).join('<br>')}</li>`)
          .join('')}</ul>`,
      );
      continue;
    }
    para.push(line);
  }
  flushPara();
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// Case details

function preBlock(title: string, text: string, cls = ''): string {
  if (!text) return '';
  return `<details class="out${cls ? ` ${cls}` : ''}"><summary>${esc(title)} <span class="muted">(${text.length} chars)</span></summary><pre>${esc(capText(text))}</pre></details>`;
}

function capturedBlock(title: string, c: CapturedText | undefined): string {
  const text = textOf(c);
  if (!text) return '';
  const note = c && c.truncated ? ` <span class="muted">(captured ${c.bytes} bytes, ${c.omittedBytes} omitted)</span>` : '';
  return `<details class="out"><summary>${esc(title)}${note}</summary><pre>${esc(capText(text))}</pre></details>`;
}

function diffBlock(diff: string | undefined): string {
  if (!diff) return '';
  const lines = capText(diff).split('\n').map((l) => {
    const cls = l.startsWith('+++') || l.startsWith('---') ? 'meta' : l.startsWith('@@') ? 'hunk' : l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : '';
    return cls ? `<span class="${cls}">${esc(l)}</span>` : esc(l);
  });
  return `<div class="diff"><div class="label">diff (CPython → wasm, normalized)</div><pre>${lines.join('\n')}</pre></div>`;
}

function exitTable(r: CaseRecord): string {
  const rows: string[] = [];
  const row = (step: string, exit: unknown, signal: unknown, timedOut: unknown, ms: unknown, extra = '') =>
    rows.push(
      `<tr><td>${esc(step)}</td><td>${exit === null || exit === undefined ? '—' : esc(exit)}</td><td>${signal ? esc(signal) : '—'}</td><td>${timedOut ? 'yes' : 'no'}</td><td>${typeof ms === 'number' ? esc(Math.round(ms)) : '—'}</td><td>${extra}</td></tr>`,
    );
  if (r.python) row('CPython', r.python.exitCode, r.python.signal, r.python.timedOut, r.python.durationMs, esc(r.python.spawnError ?? ''));
  if (r.compile) {
    row(
      `compile (${r.compile.compiler})`,
      r.compile.exitCode,
      null,
      r.compile.timedOut,
      r.compile.durationMs,
      esc([r.compile.cached ? 'cached' : '', r.compile.spawnError ?? ''].filter(Boolean).join(' · ')),
    );
  }
  if (r.wasm) {
    const trap = r.wasm.trap ? `trap: ${r.wasm.trap.kind} — ${r.wasm.trap.message}` : '';
    row(`wasm (${r.wasm.runtime})`, r.wasm.exitCode, r.wasm.signal, r.wasm.timedOut, r.wasm.durationMs, esc([trap, r.wasm.spawnError ?? ''].filter(Boolean).join(' · ')));
  }
  if (!rows.length) return '';
  return `<table class="exits"><thead><tr><th>step</th><th>exit</th><th>signal</th><th>timed out</th><th>ms</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function stackBlock(groups: StackGroup[], rawFrames: readonly RawFrame[] | undefined): string {
  const parts: string[] = [];
  for (const g of groups) {
    const frames = g.frames.slice(0, MAX_FRAMES).map((f, i) => {
      const where = f.file ? `  ${f.file}${typeof f.line === 'number' ? `:${f.line}` : ''}` : '';
      return `<span class="fn">#${i} ${esc(f.function)}</span>${esc(where)}`;
    });
    if (g.frames.length > MAX_FRAMES) frames.push(esc(`... ${g.frames.length - MAX_FRAMES} more frames`));
    const link = g.link && /^https?:\/\//i.test(g.link) ? ` <a href="${esc(g.link)}" rel="noreferrer">${esc(g.link)}</a>` : g.link ? ` ${esc(g.link)}` : '';
    const note = g.note || link ? `<p class="note">${esc(g.note ?? '')}${link}</p>` : '';
    parts.push(`<div class="stack"><div class="label">symbolized stack</div>${note}<pre>${frames.join('\n')}</pre></div>`);
  }
  if (!parts.length && Array.isArray(rawFrames) && rawFrames.length) {
    const lines = rawFrames.slice(0, MAX_FRAMES).map((f) => {
      const bits = [`#${f.index}`, f.name ?? '?', f.funcIndex !== undefined ? `func[${f.funcIndex}]` : '', f.offset !== undefined ? `@0x${f.offset.toString(16)}` : ''];
      return esc(bits.filter(Boolean).join(' '));
    });
    if (rawFrames.length > MAX_FRAMES) lines.push(esc(`... ${rawFrames.length - MAX_FRAMES} more frames`));
    parts.push(`<div class="stack"><div class="label">runtime frames (not symbolized)</div><pre>${lines.join('\n')}</pre></div>`);
  }
  return parts.join('');
}

function badge(code: unknown): string {
  const name = codeNameOf(code) ?? `code ${String(code)}`;
  const color = codeNameOf(code) ? CODE_COLORS[codeNameOf(code)!] : '#555';
  return `<span class="badge" style="background:${color}">${esc(name)}</span>`;
}

function searchKey(r: CaseRecord, label: string): string {
  return `${caseId(r)} ${r.target} ${codeNameOf(r.code) ?? ''} ${label}`.toLowerCase();
}

function caseDetails(r: CaseRecord, label: string, anchor: string, stacks: StackGroup[]): string {
  const body = [
    r.msg ? `<div class="msg"><div class="label">message</div><pre>${esc(capText(r.msg))}</pre></div>` : '',
    r.bypassReason ? `<p>bypass: ${esc(r.bypassReason)}</p>` : '',
    exitTable(r),
    diffBlock(r.comparison?.diff),
    stackBlock(stacks, r.wasm?.frames),
    capturedBlock('CPython stdout', r.python?.stdout),
    capturedBlock('CPython stderr', r.python?.stderr),
    capturedBlock('wasm stdout (program)', r.wasm?.programStdout),
    capturedBlock('wasm stderr (program)', r.wasm?.programStderr),
    Array.isArray(r.wasm?.runtimeLines) && r.wasm.runtimeLines.length ? preBlock('runtime lines', r.wasm.runtimeLines.join('\n')) : '',
    preBlock('compile log (tail)', r.compile?.logTail ?? ''),
    r.comparison?.rulesFired?.length ? `<p class="muted">normalization rules fired: ${esc(r.comparison.rulesFired.join(', '))}</p>` : '',
  ].join('');
  return `<details class="case" id="${anchor}" data-filter data-code="${esc(r.code)}" data-target="${esc(r.target)}" data-search="${esc(searchKey(r, label))}"><summary><code>${esc(caseId(r))}</code> <span class="tgt">${esc(r.target)}</span> ${badge(r.code)}</summary><div class="case-body">${body || '<p class="muted">no details recorded</p>'}</div></details>`;
}

// ---------------------------------------------------------------------------------------------------------
// Page

const CSS = `
:root{--fg:#1d1f23;--muted:#6a717c;--bg:#fff;--panel:#f6f7f9;--border:#d9dde3;--link:#0b57d0}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header,main{max-width:1200px;margin:0 auto;padding:12px 20px}
header{border-bottom:1px solid var(--border)}
h1{font-size:22px;margin:6px 0}
h2{font-size:18px;margin:24px 0 8px;border-bottom:1px solid var(--border);padding-bottom:4px}
h3{font-size:15px;margin:16px 0 6px}
code,pre{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}
pre{background:var(--panel);border:1px solid var(--border);border-radius:4px;padding:8px;overflow:auto;max-height:480px;white-space:pre-wrap;word-break:break-word;margin:4px 0}
.muted{color:var(--muted)}
.meta{color:var(--muted);margin:2px 0}
nav a{margin-right:14px;color:var(--link)}
[hidden]{display:none!important}
.legend{display:flex;flex-wrap:wrap;gap:6px;margin:8px 0}
.legend button{display:inline-flex;align-items:center;gap:6px;border:1px solid var(--border);background:var(--bg);border-radius:14px;padding:3px 10px;cursor:pointer;font:inherit}
.legend button[aria-pressed=false]{opacity:.4;text-decoration:line-through}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px}
.charts{display:flex;flex-wrap:wrap;gap:18px}
figure{margin:0;border:1px solid var(--border);border-radius:6px;padding:8px;overflow-x:auto;max-width:100%}
figcaption{font-weight:600;margin-bottom:4px}
svg.chart text{font:11px system-ui,sans-serif;fill:#444}
svg.chart .grid{stroke:#e4e7eb;stroke-width:1}
svg.chart rect.seg.dim{opacity:.15}
table{border-collapse:collapse;margin:6px 0}
th,td{border:1px solid var(--border);padding:3px 8px;text-align:left;vertical-align:top}
td.num,th.num{text-align:right}
.badge{display:inline-block;color:#fff;border-radius:3px;padding:0 6px;font-size:11.5px;font-weight:600;white-space:nowrap}
.controls{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:8px 0;position:sticky;top:0;background:var(--bg);padding:6px 0;z-index:1;border-bottom:1px solid var(--border)}
.controls input[type=search]{min-width:280px;padding:4px 8px;font:inherit}
.controls select,.controls button{font:inherit;padding:3px 8px}
details.group{border:1px solid var(--border);border-radius:6px;margin:6px 0;background:var(--bg)}
details.group>summary{padding:6px 10px;cursor:pointer;background:var(--panel);border-radius:6px}
details.group>.cases{padding:4px 10px 8px}
.glabel{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-word}
.count{font-weight:700;margin-left:6px}
details.case{border-left:3px solid var(--border);margin:4px 0;padding-left:8px}
details.case>summary{cursor:pointer}
.tgt{color:var(--muted);font-size:12px}
.case-body{padding:4px 0 8px}
.label{font-size:12px;font-weight:600;color:var(--muted);margin-top:6px}
.diff .add{color:#116329;background:#dafbe1}
.diff .del{color:#82071e;background:#ffebe9}
.diff .hunk{color:#0550ae}
.diff .meta{color:var(--muted)}
.stack .fn{font-weight:600}
details.out>summary{cursor:pointer;color:var(--link)}
table.cases{width:100%}
table.cases td:nth-child(5){font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;word-break:break-word}
.md h3,.md h4,.md h5,.md h6{margin:12px 0 4px}
`;

// Vanilla JS, no data inside: it only reads data-* attributes of the page.
const SCRIPT = `
(function () {
  'use strict';
  var hiddenCodes = {};
  var query = '';
  var target = '';
  function visible(el) {
    if (hiddenCodes[el.getAttribute('data-code')]) return false;
    if (target && el.getAttribute('data-target') !== target) return false;
    if (query && (el.getAttribute('data-search') || '').indexOf(query) < 0) return false;
    return true;
  }
  function apply() {
    var shown = 0;
    var els = document.querySelectorAll('[data-filter]');
    for (var i = 0; i < els.length; i++) {
      var ok = visible(els[i]);
      els[i].hidden = !ok;
      if (ok && els[i].tagName === 'TR') shown++;
    }
    var groups = document.querySelectorAll('details.group');
    for (var g = 0; g < groups.length; g++) {
      groups[g].hidden = !groups[g].querySelector('details.case:not([hidden])');
    }
    var segs = document.querySelectorAll('rect.seg');
    for (var s = 0; s < segs.length; s++) {
      segs[s].classList.toggle('dim', !!hiddenCodes[segs[s].getAttribute('data-code')]);
    }
    var buttons = document.querySelectorAll('.legend button[data-code]');
    for (var b = 0; b < buttons.length; b++) {
      buttons[b].setAttribute('aria-pressed', hiddenCodes[buttons[b].getAttribute('data-code')] ? 'false' : 'true');
    }
    var counter = document.getElementById('shown-count');
    if (counter) counter.textContent = String(shown);
  }
  document.addEventListener('click', function (ev) {
    var el = ev.target;
    var button = el && el.closest ? el.closest('.legend button[data-code]') : null;
    if (button) {
      var code = button.getAttribute('data-code');
      hiddenCodes[code] = !hiddenCodes[code];
      apply();
      return;
    }
    var action = el && el.closest ? el.closest('[data-action]') : null;
    if (action) {
      var open = action.getAttribute('data-action') === 'expand';
      var details = document.querySelectorAll('details.group');
      for (var i = 0; i < details.length; i++) details[i].open = open;
    }
  });
  var search = document.getElementById('search');
  if (search) search.addEventListener('input', function () { query = search.value.trim().toLowerCase(); apply(); });
  var select = document.getElementById('target');
  if (select) select.addEventListener('change', function () { target = select.value; apply(); });
  function openHash() {
    if (!location.hash) return;
    var el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    while (el) { if (el.tagName === 'DETAILS') el.open = true; el = el.parentElement; }
  }
  window.addEventListener('hashchange', openHash);
  openHash();
  apply();
})();
`;

function legend(counts: Record<CaseErrorName, number>): string {
  return `<div class="legend" role="group" aria-label="outcome codes (click to hide or show)">${CASE_ERROR_NAMES.map(
    (n) =>
      `<button type="button" data-code="${CaseErrorCode[n]}" aria-pressed="true" title="${esc(`${CaseErrorCode[n]} ${n}`)}"><span class="swatch" style="background:${CODE_COLORS[n]}"></span>${CaseErrorCode[n]} ${esc(n)} <span class="muted">${counts[n]}</span></button>`,
  ).join('')}</div>`;
}

function totalsTable(results: RunResults, targets: string[]): string {
  const per = targets.map((t) => countCodes(results.records.filter((r) => r.target === t)));
  const all = countCodes(results.records);
  const multi = targets.length > 1;
  const head = `<tr><th class="num">code</th><th>name</th>${targets.map((t) => `<th class="num">${esc(t)}</th>`).join('')}${multi ? '<th class="num">all</th>' : ''}</tr>`;
  const rows = CASE_ERROR_NAMES.map(
    (n) =>
      `<tr><td class="num">${CaseErrorCode[n]}</td><td>${badge(CaseErrorCode[n])}</td>${per.map((c) => `<td class="num">${c[n]}</td>`).join('')}${multi ? `<td class="num">${all[n]}</td>` : ''}</tr>`,
  ).join('');
  const total = `<tr><td></td><td><strong>total</strong></td>${targets.map((t) => `<td class="num">${results.records.filter((r) => r.target === t).length}</td>`).join('')}${multi ? `<td class="num">${results.records.length}</td>` : ''}</tr>`;
  return `<table class="totals"><thead>${head}</thead><tbody>${rows}${total}</tbody></table>`;
}

/** The whole report as one HTML document. */
export function renderHtmlReport(results: RunResults, opts: HtmlReportOptions = {}): string {
  const title = opts.title ?? 'py2wasm cookbook report';
  const records = results.records;
  const targets = runTargets(results);
  const chapters = [...new Set(records.map((r) => r.chapter))].sort(compareChapters);
  const stacks = readStacks(opts.stacks);
  const stacksByKey = new Map<string, StackGroup[]>();
  for (const g of stacks) {
    for (const c of g.cases) {
      const list = stacksByKey.get(c) ?? [];
      list.push(g);
      stacksByKey.set(c, list);
    }
  }
  const stacksOf = (r: CaseRecord): StackGroup[] => stacksByKey.get(caseId(r)) ?? [];

  // labels and anchors, once per record
  const labels = new Map<CaseRecord, string>();
  const anchors = new Map<CaseRecord, string>();
  records.forEach((r, i) => {
    anchors.set(r, `case-${i}`);
    if (r.code !== CaseErrorCode.OK) labels.set(r, classifyFailure(r).label);
  });

  const run = results.run;
  const meta = [
    `source: ${run.source}`,
    `started ${run.startedAt}`,
    `ended ${run.endedAt}`,
    `${records.length} records`,
    `targets: ${targets.join(', ') || 'none'}`,
    run.vitestVersion ? `vitest ${run.vitestVersion}` : '',
    run.cookbookRoot ? `cookbook: ${run.cookbookRoot}` : '',
  ]
    .filter(Boolean)
    .map((m) => esc(m))
    .join(' · ');
  const tools = Object.entries(run.tools ?? {});
  const toolsHtml = tools.length
    ? `<details><summary>tools</summary><table><tbody>${tools.map(([k, v]) => `<tr><td>${esc(k)}</td><td><code>${esc(v)}</code></td></tr>`).join('')}</tbody></table></details>`
    : '';

  // Outcomes
  const byTarget = new Map<string, CaseRecord[]>();
  const perBar = new Map<string, number>();
  for (const r of records) {
    const list = byTarget.get(r.target) ?? [];
    list.push(r);
    byTarget.set(r.target, list);
    const key = `${r.target}\0${r.chapter}`;
    perBar.set(key, (perBar.get(key) ?? 0) + 1);
  }
  // one scale for every target's chart, so bars compare across charts
  const yMax = Math.max(1, ...perBar.values());
  const charts = targets
    .map(
      (t) =>
        `<figure class="chapter-chart" data-target="${esc(t)}"><figcaption>${esc(t)}</figcaption>${renderChapterChart(byTarget.get(t) ?? [], chapters, t, yMax)}</figure>`,
    )
    .join('');

  // Trend
  let trend = '';
  if (opts.history && opts.history.length) {
    const history = opts.history.filter((h) => h && Array.isArray(h.records));
    const last = history.at(-1);
    const includesCurrent = last && last.run?.startedAt === run.startedAt && last.run?.source === run.source && last.records.length === records.length;
    const points = [...history, ...(includesCurrent ? [] : [results])].map(trendPoint);
    trend = `<section id="trend"><h2>Trend across runs</h2><p class="muted">OK and failures (every code but OK and BYPASS), all targets together, oldest run first; the last point is this run.</p><div class="trend-legend"><span class="swatch" style="background:${CODE_COLORS.OK}"></span> OK &nbsp; <span class="swatch" style="background:${CODE_COLORS.WASM_EXECUTION_FAILURE}"></span> failures</div><figure>${renderTrendChart(points)}</figure></section>`;
  }

  // Failure groups
  const groups = groupFailures(records);
  const recordsById = new Map<string, CaseRecord[]>();
  for (const r of records) {
    const id = caseId(r);
    const list = recordsById.get(id) ?? [];
    list.push(r);
    recordsById.set(id, list);
  }
  let gi = 0;
  const groupHtml = groups
    .map((g) => {
      const members = g.cases.flatMap((id) =>
        (recordsById.get(id) ?? []).filter(
          (r) => r.code === g.key.code && (g.key.target === undefined || r.target === g.key.target) && labels.get(r) === g.key.label,
        ),
      );
      const casesHtml = members.map((r) => caseDetails(r, labels.get(r) ?? '', anchors.get(r)!, stacksOf(r))).join('');
      const target = g.key.target ? ` <span class="tgt">${esc(g.key.target)}</span>` : '';
      return `<details class="group" id="group-${gi++}" data-code="${esc(g.key.code)}"><summary>${badge(g.key.code)} <span class="muted">${esc(g.key.kind)}</span> <span class="glabel">${esc(g.key.label)}</span>${target}<span class="count">${g.count}</span></summary><div class="cases">${casesHtml}</div></details>`;
    })
    .join('');

  // All cases
  const caseRows = records
    .map((r) => {
      const label = labels.get(r) ?? '';
      const failing = isFailure(r.code);
      const name = failing ? `<a href="#${anchors.get(r)}">${esc(caseId(r))}</a>` : esc(caseId(r));
      return `<tr data-filter data-code="${esc(r.code)}" data-target="${esc(r.target)}" data-search="${esc(searchKey(r, label))}"><td>${esc(r.chapter)}</td><td>${name}</td><td>${esc(r.target)}</td><td>${badge(r.code)}</td><td>${esc(label)}</td><td class="num">${typeof r.durations?.totalMs === 'number' ? Math.round(r.durations.totalMs) : ''}</td></tr>`;
    })
    .join('');

  const summary = opts.summaryMarkdown
    ? `<section id="summary"><h2>Summary</h2><details><summary>summary.md</summary><div class="md">${renderMarkdown(opts.summaryMarkdown)}</div></details></section>`
    : '';

  const targetSelect =
    targets.length > 1
      ? `<label>target <select id="target"><option value="">all</option>${targets.map((t) => `<option value="${esc(t)}">${esc(t)}</option>`).join('')}</select></label>`
      : '';

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(title)}</h1>
<p class="meta">${meta}</p>
${toolsHtml}
<nav><a href="#outcomes">outcomes</a>${trend ? '<a href="#trend">trend</a>' : ''}${summary ? '<a href="#summary">summary</a>' : ''}<a href="#failures">failure groups</a><a href="#cases">all cases</a></nav>
</header>
<main>
<section id="outcomes">
<h2>Outcomes per chapter</h2>
${legend(countCodes(records))}
<div class="charts">${charts || '<p class="muted">no records</p>'}</div>
${totalsTable(results, targets)}
</section>
${trend}
${summary}
<div class="controls"><input type="search" id="search" placeholder="filter: case, target, code, failure text" aria-label="filter cases">${targetSelect}<button type="button" data-action="expand">expand all</button><button type="button" data-action="collapse">collapse all</button><span class="muted"><span id="shown-count">${records.length}</span> of ${records.length} records shown</span></div>
<section id="failures">
<h2>Failure groups <span class="muted">(${groups.length})</span></h2>
${groupHtml || '<p>No failures.</p>'}
</section>
<section id="cases">
<h2>All cases</h2>
<table class="cases"><thead><tr><th>chapter</th><th>case</th><th>target</th><th>outcome</th><th>failure</th><th class="num">ms</th></tr></thead><tbody>${caseRows}</tbody></table>
</section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
