// One line that says how a wasm run ended, so two builds of the same script (plain and `--debug`)
// can be compared: Nuitka's assertion first (it explains the trap that follows it), then the trap,
// then the Python exception that ended the program, then the exit status.
import { findObjectDump } from '../parse/python-object-dump.ts';
import { finalExceptionLine } from '../parse/python-traceback.ts';
import type { RuntimeRun } from '../types.ts';

export interface FailureLine {
  kind: 'assertion' | 'trap' | 'exception' | 'exit' | 'timeout' | 'ok';
  /** `Assertion failed: current (nuitka/build/static_src/MetaPathBasedLoader.c: findEntry: 244)` */
  line: string;
}

const ASSERTION_RE = /^.*Assertion failed: .*$/m;
// Where py2wasm is installed (or which compile slot built it: `../../build/...`) says nothing about
// the failure: the path reads from the package on, `nuitka/build/static_src/X.c`.
const INSTALL_PREFIX_RE = /(?<=\()[^()\s]*?(?=build\/static_src\/)/g;

export function failureLine(run: RuntimeRun): FailureLine {
  if (run.timedOut) return { kind: 'timeout', line: `timed out after ${run.durationMs} ms` };
  const streams = [run.programStderr.text, run.programStdout.text];
  for (const text of streams) {
    const assertion = ASSERTION_RE.exec(text)?.[0];
    if (assertion)
      return {
        kind: 'assertion',
        line: assertion.slice(assertion.indexOf('Assertion failed: ')).replace(INSTALL_PREFIX_RE, 'nuitka/').trim(),
      };
  }
  if (run.trap) return { kind: 'trap', line: `trap: ${run.trap.kind}` };
  for (const text of streams) {
    const exception = finalExceptionLine(text);
    if (exception) return { kind: 'exception', line: exception };
    // sys.stderr lost: CPython dumped the exception object where its line would be
    const dump = findObjectDump(text);
    if (dump?.repr ?? dump?.typeName) return { kind: 'exception', line: `${dump.repr ?? dump.typeName} (dumped)` };
  }
  if (run.spawnError) return { kind: 'exit', line: run.spawnError };
  if (run.exitCode === 0) return { kind: 'ok', line: 'exit 0' };
  return { kind: 'exit', line: run.signal ? `signal ${run.signal}` : `exit ${run.exitCode}` };
}
