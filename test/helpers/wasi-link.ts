import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * `source` (a C file) compiled and linked for wasm32-wasi by Debian's clang-19 and wasm-ld, with
 * `flags` added (link flags as `-Wl,...`), written to `out`: a real module in the layout those
 * flags ask for. Returns its bytes.
 */
export function linkWasi(source: string, out: string, flags: string[]): Uint8Array {
  execFileSync('clang-19', ['--target=wasm32-wasi', '--sysroot=/usr', '-O1', ...flags, '-o', out, source]);
  return fs.readFileSync(path.resolve(out));
}
