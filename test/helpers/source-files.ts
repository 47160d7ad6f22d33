import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

/** Every TypeScript file of `src/`, with its path relative to `src/` and its text. */
export function readSourceFiles(dir = SRC): Array<{ name: string; text: string }> {
  const walk = (d: string): string[] =>
    fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(d, e.name);
      if (e.isDirectory()) return walk(p);
      return /\.(ts|mts)$/.test(e.name) ? [p] : [];
    });
  return walk(dir).map((p) => ({ name: path.relative(dir, p), text: fs.readFileSync(p, 'utf8') }));
}
