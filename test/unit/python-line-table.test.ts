import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lineOfInstruction } from '../../src/parse/python-line-table.ts';

// Real CPython 3.11 location tables (test/fixtures/python-line-table/make.py wrote them with
// CPython 3.11.7): decorators, a multi-line statement, a 300-line jump (the long form), a loop
// jumping back (negative deltas), a class body, and the line CPython gives each instruction.
interface Code {
  name: string;
  firstLine: number;
  table: string;
  lines: Array<number | null>;
}
const FIXTURE = path.join(import.meta.dirname, '../fixtures/python-line-table/line-tables.json');
const { codes } = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as { codes: Code[] };

describe('lineOfInstruction', () => {
  it.each(codes.map((c) => [c.name, c] as const))(
    'gives every instruction of %s the line CPython gives it',
    (_, code) => {
      const table = Buffer.from(code.table, 'hex');
      const lines = code.lines.map((_line, unit) => lineOfInstruction(table, code.firstLine, unit) ?? null);
      expect(lines).toEqual(code.lines);
    },
  );

  it('covers the long form and lines far from the first one', () => {
    const far = codes.find((c) => c.name === 'far')!;
    expect(Math.max(...far.lines.filter((l): l is number => l !== null)) - far.firstLine).toBeGreaterThan(300);
  });

  it('gives no line past the end of the table, and the first line before the first instruction', () => {
    const code = codes[0]!;
    const table = Buffer.from(code.table, 'hex');
    expect(lineOfInstruction(table, code.firstLine, code.lines.length + 5)).toBeUndefined();
    expect(lineOfInstruction(table, code.firstLine, -1)).toBe(code.firstLine);
    expect(lineOfInstruction(new Uint8Array(), 7, 0)).toBeUndefined();
  });
});
