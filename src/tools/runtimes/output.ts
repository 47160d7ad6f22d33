import type { ResolvedRuntimeTemplate, RuntimeOutputFormat } from '../../config/runtimes.ts';
import { parseGenericOutput } from '../../parse/generic-output.ts';
import { parseIwasmOutput } from '../../parse/iwasm-output.ts';
import { parseNodeWasiOutput } from '../../parse/node-output.ts';
import { parseWasmtimeOutput } from '../../parse/wasmtime-output.ts';
import { exactText } from '../../records.ts';
import type { ProcessOutcome } from '../../types.ts';
import type { ParsedRuntimeOutput } from './runtime.ts';

type OutputParser = (outcome: ProcessOutcome, template: ResolvedRuntimeTemplate) => ParsedRuntimeOutput;

/** One parser per `output` name: which stream carries the trap line and frames, and how to split them off. */
export const OUTPUT_PARSERS: Record<RuntimeOutputFormat, OutputParser> = {
  // iwasm prints its runtime lines on stdout after the program's output
  iwasm: (outcome, template) => {
    const parsed = parseIwasmOutput(exactText(outcome.stdout), { mode: template.mode ?? 'fast-interp' });
    const runtimeLines = parsed.loadError
      ? [...new Set([...parsed.runtimeLines, parsed.loadError])]
      : parsed.runtimeLines;
    return { ...parsed, runtimeLines, programStderr: exactText(outcome.stderr) };
  },
  wasmtime: (outcome) => ({
    ...parseWasmtimeOutput(exactText(outcome.stderr)),
    programStdout: exactText(outcome.stdout),
  }),
  node: (outcome) => ({ ...parseNodeWasiOutput(exactText(outcome.stderr)), programStdout: exactText(outcome.stdout) }),
  generic: (outcome) => ({
    ...parseGenericOutput(exactText(outcome.stderr), outcome.exitCode),
    programStdout: exactText(outcome.stdout),
    programStderr: exactText(outcome.stderr),
    frames: [],
  }),
};
