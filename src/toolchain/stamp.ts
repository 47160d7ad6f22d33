import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';

/** Bump when the meaning of a stamp changes: older stamps then no longer match. */
const STAMP_SCHEMA = 1;

/** Stable hash of a JSON-able value (object keys sorted). */
export function inputsKey(value: unknown): string {
  return crypto.createHash('sha256').update(stableJson(value)).digest('hex').slice(0, 24);
}

export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

export interface Stamp<T> {
  schema: typeof STAMP_SCHEMA;
  key: string;
  writtenAt: string;
  data: T;
}

/** The stamp's data when the file exists, parses, and was written for `key`; else undefined. */
export async function readStamp<T>(file: string, key?: string): Promise<Stamp<T> | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const stamp = JSON.parse(text) as Partial<Stamp<T>>;
    if (stamp.schema !== STAMP_SCHEMA || typeof stamp.key !== 'string' || stamp.data === undefined) return undefined;
    if (key !== undefined && stamp.key !== key) return undefined;
    return stamp as Stamp<T>;
  } catch {
    return undefined; // torn or hand-edited: treated as absent, the setup redoes the step
  }
}

/** Written atomically (temp file + rename): a reader sees the old stamp or the new one, never half. */
export async function writeStamp<T>(file: string, key: string, data: T): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const stamp: Stamp<T> = { schema: STAMP_SCHEMA, key, writtenAt: new Date().toISOString(), data };
  await writeFileAtomic(file, `${JSON.stringify(stamp, null, 2)}\n`);
}
