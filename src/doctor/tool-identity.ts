import { describeIwasmVersion } from '../tools/runtimes/iwasm.ts';

/** What a tool printed when asked its version (`<command> --version`). */
export interface VersionProbe {
  command: string[];
  exitCode: number | null;
  /** stdout then stderr, trimmed */
  output: string;
  /** the process could not start, or did not end in time */
  failure?: string;
}

export type Identity = { ok: true; version: string } | { ok: false; reason: string };

interface Expectation {
  /** what the tool must be, for the message */
  what: string;
  /** the version it reports, or undefined when the output is not this tool's */
  version(output: string): string | undefined;
}

const firstLine = (output: string) => output.split('\n')[0]!.trim();
const matchFirst = (re: RegExp) => (output: string) => (re.test(firstLine(output)) ? firstLine(output) : undefined);

/**
 * How each tool answers `--version`, from real output: `iwasm 2.4.3` (WAMR 1.0 and later; an older
 * iwasm has no --version and prints its usage, `Usage: iwasm [-options] wasm_file [args...]`),
 * `wasmtime 49.0.3 (f96eabaa1 2026-10-14)`, `Python 3.11.7`, `v20.20.2` (node) and, on a second
 * line, `Debian LLVM version 19.1.7` (llvm-symbolizer).
 */
export const EXPECTED = {
  python: { what: 'CPython 3', version: matchFirst(/^Python 3\.\d+\.\S+/) },
  iwasm: {
    what: 'WAMR iwasm',
    version: (output: string) =>
      /^iwasm \d+\.\d+\.\d+/.test(firstLine(output)) || /^Usage: iwasm \[-options\] wasm_file\b/.test(firstLine(output))
        ? describeIwasmVersion(firstLine(output))
        : undefined,
  },
  wasmtime: { what: 'the wasmtime CLI', version: matchFirst(/^wasmtime \d+\.\d+\.\d+/) },
  node: { what: 'Node.js', version: matchFirst(/^v\d+\.\d+\.\d+/) },
  symbolizer: {
    what: 'llvm-symbolizer',
    version: (output: string) => /\bLLVM version \d+\.\d+\.\d+\S*/.exec(output)?.[0],
  },
} satisfies Record<string, Expectation>;

export type IdentifiedTool = keyof typeof EXPECTED;

function shown(output: string): string {
  if (!output) return 'nothing';
  const line = firstLine(output);
  return JSON.stringify(line.length > 120 ? `${line.slice(0, 120)}…` : line);
}

/** Pure: is the probed command the tool it should be, and which version does it say it is. */
export function identify(tool: IdentifiedTool, probe: VersionProbe): Identity {
  const cmd = probe.command.join(' ');
  if (probe.failure) return { ok: false, reason: `\`${cmd}\` ${probe.failure}` };
  const expected: Expectation = EXPECTED[tool];
  const version = expected.version(probe.output);
  if (version) return { ok: true, version };
  return {
    ok: false,
    reason: `${probe.command[0]} is not ${expected.what}: \`${cmd}\` printed ${shown(probe.output)} (exit ${probe.exitCode ?? 'by signal'})`,
  };
}
