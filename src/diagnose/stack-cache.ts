import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { recipeFilesKey } from '../run/python-cache.ts';
import { executableIdentity } from '../process/executable-identity.ts';
import type { CaseRecord, CaseStack } from '../types.ts';
import type { StackOptions } from './stack.ts';
import { stackOf } from './stack.ts';
import type { DiagnosisStore } from './store.ts';

// bump when what a cached stack holds, or how it is made, changes
const STACK_VERSION = 1;

/**
 * What a trap's stack depends on: the wasm (its compile key, or its path and mtime when it was not
 * compiled), the recipe's files the re-run sees, the trap the plain run saw, the debug iwasm and the
 * symbolizer, and the options of the re-run.
 */
export async function stackCacheKey(
  record: CaseRecord,
  opts: StackOptions,
  wasm: string | undefined,
): Promise<string | undefined> {
  if (!record.wasm?.trap || !wasm || !record.scriptPath) return undefined;
  const wasmStat = await fs.stat(wasm).catch(() => undefined);
  if (!wasmStat) return undefined;
  const parts = [
    STACK_VERSION,
    record.target.name,
    record.example,
    record.compile?.cacheKey ?? `${wasm}\0${wasmStat.size}\0${wasmStat.mtimeMs}`,
    await recipeFilesKey(path.dirname(record.scriptPath)),
    record.wasm.trap,
    record.wasm.frames,
    await executableIdentity(opts.iwasmDebug),
    opts.iwasmDebugMode,
    await executableIdentity(opts.symbolizer),
    opts.maxFrames,
    opts.timeoutMs,
    opts.caseEnv ?? {},
  ];
  return crypto.createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/**
 * A stack made without a failure along the way: a failed re-run or symbolization is tried again
 * next time. A tool that is not there is part of the key: installing it makes another key.
 */
const isComplete = (stack: CaseStack) => !stack.wasmMissing && !stack.messages.some((m) => /failed|timed out/.test(m));

/**
 * The trap's stack from the cache when the same wasm trapped the same way before under the same
 * tools: the debug iwasm re-run of a py2wasm module takes 15-40 s, and a warm re-run needs none.
 */
export async function cachedStackOf(
  record: CaseRecord,
  opts: StackOptions,
  store: DiagnosisStore,
  wasm: string | undefined,
  reruns: Parameters<typeof stackOf>[2],
): Promise<CaseStack | undefined> {
  const key = await stackCacheKey(record, opts, wasm).catch(() => undefined);
  const hit = key ? await store.getStack(key) : undefined;
  if (hit) return { ...hit, cached: true };
  const stack = await stackOf(record, opts, reruns);
  if (key && stack && isComplete(stack)) await store.putStack(key, stack).catch(() => undefined);
  return stack;
}
