// The HTML report: ONE self-contained file (inline CSS, inline SVG charts, a little inline vanilla JS;
// no network, no external scripts or fonts), rendered from the summary model summary.md uses. Pure:
// returns a string. Sections are functions of the model; a new section is one more entry in the page.

import { isFailure, runTargets, type CodeCounts } from '../records.ts';
import type { HistoryEntry } from '../records/history.ts';
import { CASE_ERROR_NAMES, CaseErrorCode, type CaseRecord } from '../types.ts';
import { reportCss, reportScript } from './html/assets.ts';
import { caseDetails, filterAttributes } from './html/case-details.ts';
import { renderChapterChart, renderTrendChart, trendPoint, trendPointOf } from './html/charts.ts';
import { badge, CODE_COLORS, legend } from './html/codes.ts';
import { esc } from './html/escape.ts';
import { fixesHtml, fixHint } from './fixes-section.ts';
import { stacksBlock, summarySection } from './html/summary-section.ts';
import { sideTotals, type CodeGroups } from './failure-sides.ts';
import type { FailureGroup } from '../classify/group-failures.ts';
import type { StackGroup } from '../diagnose/stack-groups.ts';
import type { CaseEntry, Summary } from './summary.ts';

export { esc } from './html/escape.ts';
export { CODE_COLORS } from './html/codes.ts';

export interface HtmlReportOptions {
  /** Earlier runs, oldest first. The current run is appended as the last point of the trend. */
  history?: HistoryEntry[];
  title?: string;
}

/** What every section gets: the model plus what the page computed once for all sections. */
interface PageContext {
  s: Summary;
  /** Targets with records, declared order first. */
  targets: string[];
  anchors: Map<CaseEntry, string>;
  entryOf: Map<CaseRecord, CaseEntry>;
  stacksOf: (c: CaseEntry) => StackGroup[];
}

function runMeta(s: Summary, targets: string[]): string {
  const run = s.run;
  return [
    `source: ${run.source}`,
    `started ${run.startedAt}`,
    `ended ${run.endedAt}`,
    `${s.total} records`,
    `targets: ${targets.join(', ') || 'none'}`,
    run.vitestVersion ? `vitest ${run.vitestVersion}` : '',
    run.cookbookRoot ? `cookbook: ${run.cookbookRoot}` : '',
  ]
    .filter(Boolean)
    .map((m) => esc(m))
    .join(' · ');
}

function toolsTable(s: Summary): string {
  const tools = Object.entries(s.run.tools ?? {});
  return tools.length
    ? `<details><summary>tools</summary><table><tbody>${tools.map(([k, v]) => `<tr><td>${esc(k)}</td><td><code>${esc(v)}</code></td></tr>`).join('')}</tbody></table></details>`
    : '';
}

function totalsTable({ s, targets }: PageContext): string {
  const per: CodeCounts[] = targets.map((t) => s.byTarget.find((b) => b.target === t)!.totals);
  const multi = targets.length > 1;
  const head = `<tr><th class="num">code</th><th>name</th>${targets.map((t) => `<th class="num">${esc(t)}</th>`).join('')}${multi ? '<th class="num">all</th>' : ''}</tr>`;
  const rows = CASE_ERROR_NAMES.map(
    (n) =>
      `<tr><td class="num">${CaseErrorCode[n]}</td><td>${badge(CaseErrorCode[n])}</td>${per.map((c) => `<td class="num">${c[n]}</td>`).join('')}${multi ? `<td class="num">${s.totals[n]}</td>` : ''}</tr>`,
  ).join('');
  const total = `<tr><td></td><td><strong>total</strong></td>${targets.map((t) => `<td class="num">${s.byTarget.find((b) => b.target === t)!.total}</td>`).join('')}${multi ? `<td class="num">${s.total}</td>` : ''}</tr>`;
  return `<table class="totals"><thead>${head}</thead><tbody>${rows}${total}</tbody></table>`;
}

function outcomesSection(ctx: PageContext): string {
  const { s, targets } = ctx;
  const chapters = s.chapters.map((c) => c.chapter);
  const rows = (t: string) => s.byTarget.find((b) => b.target === t)!.chapters;
  // one scale for every target's chart, so bars compare across charts
  const yMax = Math.max(1, ...targets.flatMap((t) => rows(t).map((r) => r.total)));
  const charts = targets
    .map(
      (t) =>
        `<figure class="chapter-chart" data-target="${esc(t)}"><figcaption>${esc(t)}</figcaption>${renderChapterChart(rows(t), chapters, t, yMax)}</figure>`,
    )
    .join('');
  return `<section id="outcomes">
<h2>Outcomes per chapter</h2>
${legend(s.totals)}
<div class="charts">${charts || '<p class="muted">no records</p>'}</div>
${totalsTable(ctx)}
</section>`;
}

function trendSection(s: Summary, history: HistoryEntry[] | undefined): string {
  if (!history || !history.length) return '';
  // runs of another cookbook (the report folder is shared) are not this cookbook's trend
  const earlier = history.filter(
    (h) => !s.run.cookbookRoot || !h.run.cookbookRoot || h.run.cookbookRoot === s.run.cookbookRoot,
  );
  const others = history.length - earlier.length;
  const last = earlier.at(-1);
  const includesCurrent =
    last &&
    last.run.startedAt === s.run.startedAt &&
    last.run.source === s.run.source &&
    last.records.length === s.total;
  const points = [...earlier.map(trendPoint), ...(includesCurrent ? [] : [trendPointOf(s.run, s.totals)])];
  const leftOut = others ? ` ${others} run${others === 1 ? '' : 's'} of another cookbook left out.` : '';
  return `<section id="trend"><h2>Trend across runs</h2><p class="muted">OK and failures (every code but OK and BYPASS), all targets together, oldest run first, by when each ended; the last point is this run.${esc(leftOut)}</p><div class="trend-legend"><span class="swatch" style="background:${CODE_COLORS.OK}"></span> OK &nbsp; <span class="swatch" style="background:${CODE_COLORS.WASM_EXECUTION_FAILURE}"></span> failures</div><figure>${renderTrendChart(points)}</figure></section>`;
}

function controls({ s, targets }: PageContext): string {
  const targetSelect =
    targets.length > 1
      ? `<label>target <select id="target"><option value="">all</option>${targets.map((t) => `<option value="${esc(t)}">${esc(t)}</option>`).join('')}</select></label>`
      : '';
  return `<div class="controls"><input type="search" id="search" placeholder="filter: case, target, code, failure text" aria-label="filter cases">${targetSelect}<button type="button" data-action="expand">expand all</button><button type="button" data-action="collapse">collapse all</button><span class="muted"><span id="shown-count">${s.total}</span> of ${s.total} records shown</span></div>`;
}

function groupHtml(ctx: PageContext, g: FailureGroup): string {
  const { s } = ctx;
  const casesHtml = g.records
    .map((r) => ctx.entryOf.get(r)!)
    .map((c) => caseDetails(c, ctx.anchors.get(c)!, ctx.stacksOf(c)))
    .join('');
  const target = g.key.target ? ` <span class="tgt">${esc(g.key.target)}</span>` : '';
  const hint = fixHint(s, g.id, g.cases[0]);
  const fix = hint ? `<p class="muted">fix: <code>${esc(hint)}</code></p>` : '';
  return `<details class="group" id="group-${s.failureGroups.indexOf(g)}" data-code="${esc(g.key.code)}"><summary>${badge(g.key.code)} <span class="muted">${esc(g.key.kind)}</span> <span class="glabel">${esc(g.key.label)}</span>${target}<span class="count">${g.count}</span></summary>${fix}<div class="cases">${casesHtml}</div></details>`;
}

function codeGroupsHtml(ctx: PageContext, side: readonly CodeGroups[]): string {
  return side
    .map(
      (c) =>
        `<h3>${esc(`${c.name}: ${c.count} in ${c.groups.length} group${c.groups.length === 1 ? '' : 's'}`)}</h3>${c.groups.map((g) => groupHtml(ctx, g)).join('')}`,
    )
    .join('');
}

/** What the wasm side broke: its groups by code, with each case's diagnosis, and the distinct call stacks. */
function wasmSideSection(ctx: PageContext): string {
  const { s } = ctx;
  const { groups } = sideTotals(s.sides.wasm);
  const none = s.failureGroups.length ? 'No failures on the wasm side.' : 'No failures.';
  return `<section id="failures">
<h2>What the wasm side broke <span class="muted">(${groups} group${groups === 1 ? '' : 's'})</span></h2>
${codeGroupsHtml(ctx, s.sides.wasm) || `<p>${none}</p>`}
${stacksBlock(s)}
</section>`;
}

/** CPython's own failures (the wasm side never ran), folded; harness errors and unknown codes after. */
function otherSidesSection(ctx: PageContext): string {
  const { s } = ctx;
  const { records, groups } = sideTotals(s.sides.cpython);
  const cpython = s.sides.cpython.length
    ? `<details class="side" id="cpython-side"><summary><h2>Failures on the CPython side: ${records} record${records === 1 ? '' : 's'} in ${groups} group${groups === 1 ? '' : 's'}</h2></summary><p class="muted">CPython itself failed (${esc(s.sides.cpython.map((c) => c.name).join(', '))}), so their wasm side did not run.</p>${codeGroupsHtml(ctx, s.sides.cpython)}</details>`
    : '';
  const other = s.sides.other.length
    ? `<h2>Harness errors and unknown codes <span class="muted">(${s.sides.other.length})</span></h2>${s.sides.other.map((g) => groupHtml(ctx, g)).join('')}`
    : '';
  return cpython || other ? `<section id="other-failures">${cpython}${other}</section>` : '';
}

function casesSection({ s, anchors }: PageContext): string {
  const rows = s.cases
    .map((c) => {
      const r = c.record;
      const name = isFailure(r.code) ? `<a href="#${anchors.get(c)}">${esc(c.id)}</a>` : esc(c.id);
      return `<tr ${filterAttributes(c)}><td>${esc(r.chapter)}</td><td>${name}</td><td>${esc(r.target.name)}</td><td>${badge(r.code)}</td><td>${esc(c.label)}</td><td class="num">${typeof r.durations?.totalMs === 'number' ? Math.round(r.durations.totalMs) : ''}</td></tr>`;
    })
    .join('');
  return `<section id="cases">
<h2>All cases</h2>
<table class="cases"><thead><tr><th>chapter</th><th>case</th><th>target</th><th>outcome</th><th>failure</th><th class="num">ms</th></tr></thead><tbody>${rows}</tbody></table>
</section>`;
}

/** The whole report as one HTML document. */
export function renderHtmlReport(summary: Summary, opts: HtmlReportOptions = {}): string {
  const s = summary;
  const title = opts.title ?? 'py2wasm cookbook report';
  const stacksById = new Map<string, StackGroup[]>();
  for (const g of s.stacks) for (const id of g.cases) stacksById.set(id, [...(stacksById.get(id) ?? []), g]);
  const ctx: PageContext = {
    s,
    targets: runTargets({ run: s.run, records: s.cases.map((c) => c.record) }),
    anchors: new Map(s.cases.map((c, i) => [c, `case-${i}`])),
    entryOf: new Map(s.cases.map((c) => [c.record, c])),
    stacksOf: (c) => stacksById.get(c.id) ?? [],
  };
  const trend = trendSection(s, opts.history);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${reportCss()}</style>
</head>
<body>
<header>
<h1>${esc(title)}</h1>
<p class="meta">${runMeta(s, ctx.targets)}</p>
${toolsTable(s)}
<nav><a href="#failures">what the wasm side broke</a>${s.fixes ? '<a href="#fixes">fixes</a>' : ''}${s.sides.cpython.length ? '<a href="#cpython-side">CPython side</a>' : ''}<a href="#outcomes">outcomes</a>${trend ? '<a href="#trend">trend</a>' : ''}<a href="#summary">summary</a><a href="#cases">all cases</a></nav>
</header>
<main>
${controls(ctx)}
${wasmSideSection(ctx)}
${fixesHtml(s)}
${otherSidesSection(ctx)}
${outcomesSection(ctx)}
${trend}
${summarySection(s)}
${casesSection(ctx)}
</main>
<script>${reportScript()}</script>
</body>
</html>
`;
}
