import fs from 'node:fs/promises';
import writeFileAtomic from 'write-file-atomic';
import type { FileEdits } from './judge.ts';

/** What an interrupted reduction resumes from: its best candidate and every verdict so far. */
export interface ReduceState {
  version: 1;
  case: string;
  target: string;
  /** sha256 of the original recipe's files: a changed case starts over. */
  originalHash: string;
  signature: string;
  best: FileEdits;
  verdicts: Record<string, { holds: boolean; signature: string }>;
  tests: number;
  compiles: number;
  elapsedMs: number;
}

export async function readReduceState(
  file: string,
  expect: Pick<ReduceState, 'case' | 'target' | 'originalHash'>,
): Promise<ReduceState | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (!text) return undefined;
  try {
    const state = JSON.parse(text) as ReduceState;
    const same =
      state.version === 1 &&
      state.case === expect.case &&
      state.target === expect.target &&
      state.originalHash === expect.originalHash;
    return same ? state : undefined;
  } catch {
    return undefined; // a state file that is not JSON is not worth more than starting over
  }
}

/** Atomic: an interrupt never leaves half a state file. */
export async function writeReduceState(file: string, state: ReduceState): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(state, null, 1)}\n`);
}
