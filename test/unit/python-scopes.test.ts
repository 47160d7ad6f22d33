import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { enclosingScopes } from '../../src/parse/python-scopes.ts';

const sample = (p: string) => readFileSync(new URL(`../../cookbook-tests/sample/${p}`, import.meta.url), 'utf8');
const lineOf = (source: string, text: string) => source.split('\n').findIndex((l) => l.includes(text)) + 1;

describe('enclosing functions and classes of a source line', () => {
  it('reads the sample scripts as their traced statements need', () => {
    const chain = sample('4/call_chain/example1.py');
    expect(enclosingScopes(chain, lineOf(chain, 'module = func.__module__'))).toEqual(['label']);
    expect(enclosingScopes(chain, lineOf(chain, 'lines.append(label(func))'))).toEqual(['report']);
    expect(enclosingScopes(chain, lineOf(chain, 'print("\\n".join'))).toEqual([]);
    const deco = sample('4/decorators/example1.py');
    // a def is in the scope it is defined in
    expect(enclosingScopes(deco, lineOf(deco, 'def wrapper('))).toEqual(['counted']);
    expect(enclosingScopes(deco, lineOf(deco, 'wrapper.calls += 1'))).toEqual(['counted', 'wrapper']);
  });

  it('names class bodies and methods, skipping blank and comment lines, and dedents through if/for blocks', () => {
    const source = [
      'class Shape:',
      '    # a comment at column 4',
      '',
      '    @property',
      '    def area(self):',
      '        if self.w:',
      '            return self.w * self.h',
      '    kind = "shape"',
      'x = 1',
    ].join('\n');
    expect(enclosingScopes(source, 7)).toEqual(['Shape', 'area']);
    expect(enclosingScopes(source, 8)).toEqual(['Shape']);
    expect(enclosingScopes(source, 5)).toEqual(['Shape']);
    expect(enclosingScopes(source, 9)).toEqual([]);
    expect(enclosingScopes(source, 3)).toEqual([]);
    expect(enclosingScopes(source, 99)).toEqual([]);
  });
});
