// summary.md's failure sections, from the summary model: what the wasm side broke (its groups by
// code, the distinct call stacks with their diagnoses), then CPython's own failures, folded. Pure.

import type { FailureGroup } from '../classify/group-failures.ts';
import { diagnosisProvenance, stackOverflowsOf } from '../diagnose/describe.ts';
import type { StackGroup } from '../diagnose/stack-groups.ts';
import { displayFunction } from '../parse/nuitka-names.ts';
import { lineRange } from '../compare/captured.ts';
import { caseId, codeNameOf } from '../records.ts';
import type { CaseRecord } from '../types.ts';
import { sideTotals, type CodeGroups } from './failure-sides.ts';
import { fixHint } from './fixes-section.ts';
import { caseList, codeSpan, escapeMarkdownText, plural } from './markdown.ts';
import { wasmFailureCounterRepr, type Summary, type WasmFailureCounter } from './summary.ts';

function groupLines(s: Summary, g: FailureGroup): string[] {
  const target = g.key.target ? ` · ${codeSpan(g.key.target)}` : '';
  // a --debug build that failed otherwise is shown beside the plain failure (and split the group)
  const debug = g.key.debugFailure !== undefined ? ` · --debug: ${codeSpan(g.key.debugFailure)}` : '';
  const hint = fixHint(s, g.id, g.cases[0]);
  return [
    `- **${g.count}** · ${g.key.kind} · ${codeSpan(g.key.label)}${debug}${target}${hint ? ` · fix: ${codeSpan(hint)}` : ''}`,
    ...stackOverflowsOf(g.records).map((line) => `  - ${escapeMarkdownText(line)}`),
    ...partialDiffs(g.records).map((line) => `  - ${escapeMarkdownText(line)}`),
    caseList(g.cases, '  '),
  ];
}

/** Where a group's diffs show only part of outputs too long to keep whole, and how those were compared. */
function partialDiffs(records: readonly CaseRecord[]): string[] {
  const partial = records.filter((r) => r.comparison?.shown === 'head+tail');
  if (!partial.length) return [];
  const inPart = partial.filter((r) => r.comparison?.partial?.compared !== 'whole').length;
  const where = partial.flatMap((r) => {
    const d = r.comparison?.partial?.firstDifference;
    return d ? [`${caseId(r)} at normalized ${lineRange(d)}`] : [];
  });
  return [
    `${plural(partial.length, 'output')} too long to keep whole: the diff shows only the kept head and tail; ` +
      (inPart ? `${inPart} compared in part only (never OK)` : 'the whole outputs were compared by digest') +
      (where.length ? `; first difference: ${where.slice(0, 3).join(', ')}${where.length > 3 ? ', ...' : ''}` : ''),
  ];
}

function codeSection(s: Summary, c: CodeGroups, intro: string[] = []): string[] {
  return [
    `### ${c.name}: ${c.count} in ${plural(c.groups.length, 'group')}`,
    '',
    ...intro,
    ...c.groups.flatMap((g) => groupLines(s, g)),
    '',
  ];
}

function counterLine(c: WasmFailureCounter): string {
  return `${codeSpan(wasmFailureCounterRepr(c))}: ${plural(c.Exception, 'runtime trap')} (Exception), ${plural(c.Traceback, 'Python traceback')} inside the wasm (Traceback)${c.other ? `, ${c.other} other` : ''}`;
}

/** The traps vs tracebacks count, as the old manual analysis printed it. */
function trapsAndTracebacks(s: Summary): string[] {
  const lines = s.perTarget
    ? s.byTarget.map((t) => `- ${codeSpan(t.target)}: ${counterLine(t.wasmFailures)}`)
    : [counterLine(s.wasmFailures)];
  return [...lines, ''];
}

/** `## What the wasm side broke`: its groups by code, each with its fix command where one is known. */
export function wasmSideMarkdown(s: Summary): string[] {
  const out = ['## What the wasm side broke', ''];
  if (!s.sides.wasm.length) out.push(s.failureGroups.length ? 'No failures on the wasm side.' : 'No failures.', '');
  for (const c of s.sides.wasm)
    out.push(...codeSection(s, c, c.name === 'WASM_EXECUTION_FAILURE' ? trapsAndTracebacks(s) : []));
  return out;
}

/** CPython's own failures (the wasm side never ran), folded, their count in the fold's title. */
export function cpythonSideMarkdown(s: Summary): string[] {
  if (!s.sides.cpython.length) return [];
  const { records, groups } = sideTotals(s.sides.cpython);
  return [
    `## Failures on the CPython side: ${records}`,
    '',
    `<details><summary>${plural(records, 'record')} in ${plural(groups, 'group')}: CPython itself failed (${s.sides.cpython.map((c) => c.name).join(', ')}), so their wasm side did not run</summary>`,
    '',
    ...s.sides.cpython.flatMap((c) => codeSection(s, c)),
    '</details>',
    '',
  ];
}

/** Groups of a code that is none of the eight (results.json from elsewhere). */
export function unknownCodeMarkdown(s: Summary): string[] {
  const unknown = s.sides.other.filter((g) => g.key.kind !== 'harness' && codeNameOf(g.key.code) === undefined);
  if (!unknown.length) return [];
  return [
    '### unknown code',
    '',
    ...unknown.flatMap((g) => [
      `- **${g.count}** · code ${escapeMarkdownText(String(g.key.code))} · ${codeSpan(g.key.label)}`,
      caseList(g.cases, '  '),
    ]),
    '',
  ];
}

const MAX_STACK_FRAMES = 15;

function renderStack(group: StackGroup, index: number): string {
  const frames = Array.isArray(group.frames) ? group.frames : [];
  const cases = Array.isArray(group.cases) ? group.cases : [];
  const top = frames[0]?.function;
  const out: string[] = [
    `### ${index + 1}. ${top ? codeSpan(displayFunction(top)) : '(no frames)'}: ${plural(cases.length, 'case')}`,
    '',
  ];
  if (group.note) out.push(escapeMarkdownText(group.note), '');
  const found = group.diagnosis;
  if (found) {
    const item = (label: string, lines: string[]) => lines.map((l) => `- ${label}: ${codeSpan(l)}`);
    out.push(
      ...item('Python line', found.pythonLines),
      ...item('callee', found.callees),
      ...item('`--debug` build', found.assertions),
      ...item('C stack', found.stackOverflows),
      '',
    );
    if (found.diagnosedOn.length) out.push(escapeMarkdownText(diagnosisProvenance(found)), '');
  }
  if (frames.length) {
    const body = frames.slice(0, MAX_STACK_FRAMES).map((f, i) => {
      const where = f.file ? `  ${f.file}${typeof f.line === 'number' ? `:${f.line}` : ''}` : '';
      return `#${i} ${displayFunction(f.function ?? '?')}${where}`;
    });
    if (frames.length > MAX_STACK_FRAMES) body.push(`... ${frames.length - MAX_STACK_FRAMES} more frames`);
    const text = body.join('\n');
    const fence = '`'.repeat(Math.max(3, ...(text.match(/`{3,}/g) ?? []).map((m) => m.length + 1)));
    out.push(`${fence}text`, text, fence, '');
  }
  if (group.link) out.push(`[details](<${String(group.link).replace(/[<>\s]/g, (c) => encodeURIComponent(c))}>)`, '');
  if (cases.length) out.push(caseList(cases, ''), '');
  return out.join('\n');
}

/** The distinct call stacks of the traps, with what the diagnose stage found, and traps left without one. */
export function stacksMarkdown(s: Summary): string[] {
  const out: string[] = [];
  if (s.stacks.length) {
    out.push(`## Distinct call stacks: ${s.stacks.length}`, '');
    s.stacks.forEach((g, i) => out.push(renderStack(g, i)));
  }
  const noStack = s.cases.filter((c) => c.record.stack?.wasmMissing);
  if (noStack.length) {
    out.push(
      `## Call stacks missing: ${noStack.length}`,
      '',
      ...noStack.map((c) => `- ${codeSpan(c.id)} [${c.record.target.name}]: ${String(c.record.stack!.wasmMissing)}`),
      '',
    );
  }
  return out;
}
