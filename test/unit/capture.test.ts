import { describe, expect, it } from 'vitest';
import { BoundedCapture, decodeBytes } from '../../src/tools/capture.ts';
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
    expect(decodeBytes(Buffer.from([0x62, 0x61, 0x64, 0x3a, 0x20, 0xff, 0xfe, 0x80, 0x20, 0xc3, 0xa9]))).toBe('bad: \\xff\\xfe\\x80 é');
  });
  it('decodes valid UTF-8 unchanged', () => {
    expect(decodeBytes(Buffer.from('naïve ✓ 𝄞'))).toBe('naïve ✓ 𝄞');
  });
  it('treats a truncated multi-byte sequence as bytes', () => {
    expect(decodeBytes(Buffer.from([0x41, 0xe2, 0x9c]))).toBe('A\\xe2\\x9c');
  });
});
