import { describe, expect, it } from 'vitest';
import { BoundedCapture, decodeBytes } from '../../src/process/capture.ts';
import { compareOutputs } from '../../src/compare/compare.ts';
import { LOOKALIKE_NOTE } from '../../src/compare/diff-display.ts';
import { resolveRules } from '../../src/normalize/normalize.ts';
import { displayText, exactText } from '../../src/records.ts';
import { TRUNCATION_MARKER_RE } from '../../src/parse/truncation.ts';

describe('BoundedCapture', () => {
  it('keeps everything under the limits', () => {
    const c = new BoundedCapture({ headBytes: 100, tailBytes: 100 });
    c.push(Buffer.from('hello\n'));
    c.push(Buffer.from('world\n'));
    expect(c.result()).toEqual({ text: 'hello\nworld\n', bytes: 12, truncated: false, omittedBytes: 0 });
  });

  it('keeps head and tail of a huge stream and never loses the final line', () => {
    const c = new BoundedCapture({ headBytes: 1000, tailBytes: 1000 });
    const line = Buffer.from('#0001: 0x1234 - dive\n');
    for (let i = 0; i < 100_000; i++) c.push(line);
    c.push(Buffer.from('Exception: wasm operand stack overflow\n'));
    const r = c.result();
    expect(r.truncated).toBe(true);
    expect(r.bytes).toBe(100_000 * line.length + 39);
    expect(r.text.length).toBeLessThan(2200);
    expect(r.text.endsWith('Exception: wasm operand stack overflow\n')).toBe(true);
    expect(r.text.startsWith('#0001: 0x1234 - dive\n')).toBe(true);
    const marker = r.text.split('\n').find((l) => TRUNCATION_MARKER_RE.test(l));
    expect(marker).toBeDefined();
    expect(r.omittedBytes + (r.text.length - marker!.length - 1)).toBe(r.bytes);
  });

  it('handles a single chunk larger than head + tail', () => {
    const c = new BoundedCapture({ headBytes: 10, tailBytes: 10 });
    c.push(Buffer.from('a'.repeat(50) + '\nlast line\n'));
    const r = c.result();
    expect(r.truncated).toBe(true);
    expect(r.text.endsWith('last line\n')).toBe(true);
  });
});

describe('decodeBytes', () => {
  it('escapes undecodable bytes and keeps the valid text around them', () => {
    expect(decodeBytes(Buffer.from([0x62, 0x61, 0x64, 0x3a, 0x20, 0xff, 0xfe, 0x80, 0x20, 0xc3, 0xa9]))).toBe(
      'bad: \\xff\\xfe\\x80 é',
    );
  });
  it('decodes valid UTF-8 unchanged', () => {
    expect(decodeBytes(Buffer.from('naïve ✓ 𝄞'))).toBe('naïve ✓ 𝄞');
  });
  it('treats a truncated multi-byte sequence as bytes', () => {
    expect(decodeBytes(Buffer.from([0x41, 0xe2, 0x9c]))).toBe('A\\xe2\\x9c');
  });
});

describe('undecodable bytes compare as bytes', () => {
  const capture = (bytes: number[]) => {
    const c = new BoundedCapture({ headBytes: 100, tailBytes: 100 });
    c.push(Buffer.from(bytes));
    return c.result();
  };
  const byte = capture([0x61, 0xff, 0x0a]);
  const spelled = capture([...Buffer.from('a\\xff\n')]);

  it('shows both as `\\xff`, but the byte only has exact text, and it differs from the spelling', () => {
    expect(byte.text).toBe('a\\xff\n');
    expect(spelled.text).toBe('a\\xff\n');
    expect(spelled.exact).toBeUndefined();
    expect(byte.exact).toBe('a\udcff\n');
    expect(exactText(byte)).not.toBe(exactText(spelled));
    expect(displayText(exactText(byte))).toBe(byte.text);
  });

  it('so the comparison tells them apart, with normalization still on text and the diff for display', () => {
    const rules = resolveRules({});
    const ctx = { scratchDirs: [], scriptName: 'example.py' };
    const differ = compareOutputs(exactText(spelled), exactText(byte), rules, ctx);
    expect(differ.equal).toBe(false);
    expect(differ.diff).not.toMatch(/[\udc80-\udcff]/);
    expect(compareOutputs(exactText(byte), exactText(capture([0x61, 0xff, 0x0a])), rules, ctx).equal).toBe(true);
    // a rule still rewrites the text around the byte: an object address next to it
    const a = capture([...Buffer.from('<X object at 0x7f00aa> '), 0xff]);
    const b = capture([...Buffer.from('<X object at 0x5500bb> '), 0xff]);
    expect(compareOutputs(exactText(a), exactText(b), rules, ctx)).toMatchObject({
      equal: true,
      rulesFired: ['object-address'],
    });
  });

  it("marks which side of a diff is the raw byte: the program's own backslashes read doubled, a note says so", () => {
    const rules = resolveRules({});
    const ctx = { scratchDirs: [], scriptName: 'example.py' };
    const differ = compareOutputs(exactText(spelled), exactText(byte), rules, ctx);
    const lines = differ.diff!.split('\n');
    const removed = lines.find((l) => l.startsWith('-a'));
    const added = lines.find((l) => l.startsWith('+a'));
    expect(removed).toBe('-a\\\\xff'); // the four characters \ x f f CPython printed
    expect(added).toBe('+a\\xff'); // the byte 0xff the wasm wrote
    expect(removed!.slice(1)).not.toBe(added!.slice(1));
    expect(differ.diff).toContain(LOOKALIKE_NOTE);
    expect(differ.firstChange).toEqual({ removed: 'a\\\\xff', added: 'a\\xff' });
    // without a lookalike, backslashes and bytes read as before
    const plain = compareOutputs('C:\\dir\n', 'C:\\other\n', rules, ctx);
    expect(plain.diff).toContain('-C:\\dir');
    expect(plain.diff).not.toContain(LOOKALIKE_NOTE);
    expect(compareOutputs('a\n', exactText(byte), rules, ctx).diff).toContain('+a\\xff');
  });

  it('shows a character outside the BMP whose low half looks like a byte as itself', () => {
    expect(displayText('\u{1F480} \udcff')).toBe('\u{1F480} \\xff');
    expect(capture([...Buffer.from('\u{1F480}\n')]).exact).toBeUndefined();
  });
});
