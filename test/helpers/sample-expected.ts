// The sample cookbook's expected outcomes, read from the table in cookbook-tests/sample/EXPECTED.md,
// so tests follow the table as cases are added.

import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config/options.ts';

export const SAMPLE_DIR = path.join(PROJECT_ROOT, 'cookbook-tests', 'sample');
export const EXPECTED_MD = path.join(SAMPLE_DIR, 'EXPECTED.md');

export interface ExpectedRow {
  name: string;
  file: string;
  code: number;
  codeName: string;
}

/** Rows of the table: | `case` | `file` | <code> <NAME> | why | */
export function expectedRows(text = fs.readFileSync(EXPECTED_MD, 'utf8')): ExpectedRow[] {
  return [...text.matchAll(/^\| `([^`]+)` \| `([^`]+)` \| (\d) ([A-Z_]+) \|/gm)].map((m) => ({
    name: m[1]!,
    file: m[2]!,
    code: Number(m[3]),
    codeName: m[4]!,
  }));
}

/** The totals sentence under the table: `N cases in M chapters. Per code: OK 12, ...`. */
export function expectedTotalsLine(
  text = fs.readFileSync(EXPECTED_MD, 'utf8'),
): { cases: number; chapters: number; perCode: Record<string, number> } | undefined {
  const m = /^(\d+) cases in (\d+) chapters\. Per code: ([^]*?)\.\s*$/m.exec(text.replace(/,\n/g, ', '));
  if (!m) return undefined;
  const perCode = Object.fromEntries(
    m[3]!.split(/,\s*/).map((part) => {
      const [name, n] = part.trim().split(/\s+/);
      return [name!, Number(n)];
    }),
  );
  return { cases: Number(m[1]), chapters: Number(m[2]), perCode };
}
