// One case in the HTML report: message, exit codes per step, diff, stack, outputs, compile log.

import { codeNameOf } from '../../records.ts';
import type { CapturedText, CaseRecord, RawFrame } from '../../types.ts';
import type { GroupFrame, StackGroup } from '../../diagnose/stack-groups.ts';
import type { CaseEntry } from '../summary.ts';
import { displayFunction } from '../../parse/nuitka-names.ts';
import { badge } from './codes.ts';
import { diagnosisBlock } from './diagnosis.ts';
import { capText, esc, textOf } from './escape.ts';
import { rerunNote } from './masked.ts';

const MAX_FRAMES = 40;

function preBlock(title: string, text: string): string {
  if (!text) return '';
  return `<details class="out"><summary>${esc(title)} <span class="muted">(${text.length} chars)</span></summary><pre>${esc(capText(text))}</pre></details>`;
}

function capturedBlock(title: string, c: CapturedText | undefined): string {
  const text = textOf(c);
  if (!text) return '';
  const note =
    c && c.truncated ? ` <span class="muted">(captured ${c.bytes} bytes, ${c.omittedBytes} omitted)</span>` : '';
  return `<details class="out"><summary>${esc(title)}${note}</summary><pre>${esc(capText(text))}</pre></details>`;
}

function diffBlock(comparison: CaseRecord['comparison']): string {
  const diff = comparison?.diff;
  if (!diff) return '';
  const part = comparison.shown === 'head+tail' ? '; head and tail only: the outputs were too long to keep whole' : '';
  const lines = capText(diff)
    .split('\n')
    .map((l) => {
      const cls =
        l.startsWith('+++') || l.startsWith('---')
          ? 'meta'
          : l.startsWith('@@')
            ? 'hunk'
            : l.startsWith('+')
              ? 'add'
              : l.startsWith('-')
                ? 'del'
                : '';
      return cls ? `<span class="${cls}">${esc(l)}</span>` : esc(l);
    });
  return `<div class="diff"><div class="label">diff (CPython → wasm, normalized${esc(part)})</div><pre>${lines.join('\n')}</pre></div>`;
}

function exitTable(r: CaseRecord): string {
  const rows: string[] = [];
  const row = (step: string, exit: unknown, signal: unknown, timedOut: unknown, ms: unknown, extra = '') =>
    rows.push(
      `<tr><td>${esc(step)}</td><td>${exit === null || exit === undefined ? '—' : esc(exit)}</td><td>${signal ? esc(signal) : '—'}</td><td>${timedOut ? 'yes' : 'no'}</td><td>${typeof ms === 'number' ? esc(Math.round(ms)) : '—'}</td><td>${extra}</td></tr>`,
    );
  if (r.python)
    row(
      'CPython',
      r.python.exitCode,
      r.python.signal,
      r.python.timedOut,
      r.python.durationMs,
      esc(r.python.spawnError ?? ''),
    );
  if (r.compile) {
    const extra = [r.compile.cached ? 'cached' : '', r.compile.spawnError ?? ''].filter(Boolean).join(' · ');
    row(
      `compile (${r.compile.compiler})`,
      r.compile.exitCode,
      null,
      r.compile.timedOut,
      r.compile.durationMs,
      esc(extra),
    );
  }
  if (r.wasm) {
    const trap = r.wasm.trap ? `trap: ${r.wasm.trap.kind} — ${r.wasm.trap.message}` : '';
    row(
      `wasm (${r.wasm.runtime})`,
      r.wasm.exitCode,
      r.wasm.signal,
      r.wasm.timedOut,
      r.wasm.durationMs,
      esc([trap, r.wasm.spawnError ?? ''].filter(Boolean).join(' · ')),
    );
  }
  if (!rows.length) return '';
  return `<table class="exits"><thead><tr><th>step</th><th>exit</th><th>signal</th><th>timed out</th><th>ms</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** A frame list as `#i function  file:line`, cut at MAX_FRAMES. */
export function frameLines(frames: readonly GroupFrame[]): string[] {
  const lines = frames.slice(0, MAX_FRAMES).map((f, i) => {
    const where = f.file ? `  ${f.file}${typeof f.line === 'number' ? `:${f.line}` : ''}` : '';
    return `<span class="fn">#${i} ${esc(displayFunction(f.function))}</span>${esc(where)}`;
  });
  if (frames.length > MAX_FRAMES) lines.push(esc(`... ${frames.length - MAX_FRAMES} more frames`));
  return lines;
}

/** A root-cause note with its link (a link only when it is http(s)). */
export function noteParagraph(g: Pick<StackGroup, 'note' | 'link'>): string {
  const link =
    g.link && /^https?:\/\//i.test(g.link)
      ? ` <a href="${esc(g.link)}" rel="noreferrer">${esc(g.link)}</a>`
      : g.link
        ? ` ${esc(g.link)}`
        : '';
  return g.note || link ? `<p class="note">${esc(g.note ?? '')}${link}</p>` : '';
}

function stackBlock(groups: readonly StackGroup[], rawFrames: readonly RawFrame[] | undefined): string {
  const parts = groups.map(
    (g) =>
      `<div class="stack"><div class="label">symbolized stack</div>${noteParagraph(g)}<pre>${frameLines(g.frames).join('\n')}</pre></div>`,
  );
  if (!parts.length && rawFrames?.length) {
    const lines = rawFrames.slice(0, MAX_FRAMES).map((f) => {
      const bits = [
        `#${f.index}`,
        f.name ? displayFunction(f.name) : '?',
        f.funcIndex !== undefined ? `func[${f.funcIndex}]` : '',
        f.offset !== undefined ? `@0x${f.offset.toString(16)}` : '',
      ];
      return esc(bits.filter(Boolean).join(' '));
    });
    if (rawFrames.length > MAX_FRAMES) lines.push(esc(`... ${rawFrames.length - MAX_FRAMES} more frames`));
    parts.push(
      `<div class="stack"><div class="label">runtime frames (not symbolized)</div><pre>${lines.join('\n')}</pre></div>`,
    );
  }
  return parts.join('');
}

/** What the page's filter box searches: case id, target, code name, failure label. */
function searchKey(c: CaseEntry): string {
  return `${c.id} ${c.record.target.name} ${codeNameOf(c.record.code) ?? ''} ${c.label}`.toLowerCase();
}

/** Attributes the page script filters on (code legend, target select, search box). */
export function filterAttributes(c: CaseEntry): string {
  return `data-filter data-code="${esc(c.record.code)}" data-target="${esc(c.record.target.name)}" data-search="${esc(searchKey(c))}"`;
}

export function caseDetails(c: CaseEntry, anchor: string, stacks: readonly StackGroup[]): string {
  const r = c.record;
  const body = [
    r.msg ? `<div class="msg"><div class="label">message</div><pre>${esc(capText(r.msg))}</pre></div>` : '',
    r.bypassReason ? `<p>bypass: ${esc(r.bypassReason)}</p>` : '',
    exitTable(r),
    diffBlock(r.comparison),
    r.disagreement ? `<p class="note">runtimes disagree: ${esc(r.disagreement)}</p>` : '',
    diagnosisBlock(r),
    // a trap whose call stack could not be had says why, per case (the wasm left the cache, ...)
    r.stack?.wasmMissing ? `<p class="note">no call stack: ${esc(r.stack.wasmMissing)}</p>` : '',
    stackBlock(stacks, r.wasm?.frames),
    capturedBlock('CPython stdout', r.python?.stdout),
    capturedBlock('CPython stderr', r.python?.stderr),
    capturedBlock('wasm stdout (program)', r.wasm?.programStdout),
    capturedBlock('wasm stderr (program)', r.wasm?.programStderr),
    Array.isArray(r.wasm?.runtimeLines) && r.wasm.runtimeLines.length
      ? preBlock('runtime lines', r.wasm.runtimeLines.join('\n'))
      : '',
    preBlock('compile log (tail)', r.compile?.logTail ?? ''),
    r.comparison?.rulesFired?.length
      ? `<p class="muted">normalization rules fired: ${esc(r.comparison.rulesFired.join(', '))}</p>`
      : '',
    rerunNote(r.comparison?.cpythonRerun),
  ].join('');
  return `<details class="case" id="${anchor}" ${filterAttributes(c)}><summary><code>${esc(c.id)}</code> <span class="tgt">${esc(r.target.name)}</span> ${badge(r.code)}</summary><div class="case-body">${body || '<p class="muted">no details recorded</p>'}</div></details>`;
}
