import type { ResolvedRuntimeTemplate, RuntimeOutputFormat } from '../../config/runtimes.ts';
import { parseGenericOutput } from '../../parse/generic-output.ts';
import { parseIwasmOutput } from '../../parse/iwasm-output.ts';
import { parseNodeWasiOutput } from '../../parse/node-output.ts';
import { parseWasmtimeOutput } from '../../parse/wasmtime-output.ts';
import type { ProcessOutcome } from '../../types.ts';
import type { ParsedRuntimeOutput } from './runtime.ts';

type OutputParser = (outcome: ProcessOutcome, template: ResolvedRuntimeTemplate) => ParsedRuntimeOutput;

/** One parser per `output` name: which stream carries the trap line and frames, and how to split them off. */
export const OUTPUT_PARSERS: Record<RuntimeOutputFormat, OutputParser> = {
  // iwasm prints its runtime lines on stdout after the program's output
  iwasm: (outcome, template) => {
    const parsed = parseIwasmOutput(outcome.stdout.text, { mode: template.mode ?? 'fast-interp' });
    const runtimeLines = parsed.loadError ? [...new Set([...parsed.runtimeLines, parsed.loadError])] : parsed.runtimeLines;
    return { ...parsed, runtimeLines, programStderr: outcome.stderr.text };
  },
  wasmtime: (outcome) => ({ ...parseWasmtimeOutput(outcome.stderr.text), programStdout: outcome.stdout.text }),
  node: (outcome) => ({ ...parseNodeWasiOutput(outcome.stderr.text), programStdout: outcome.stdout.text }),
  generic: (outcome) => ({
    ...parseGenericOutput(outcome.stderr.text, outcome.exitCode),
    programStdout: outcome.stdout.text,
    programStderr: outcome.stderr.text,
    frames: [],
  }),
};
