import { describe, expect, it } from 'vitest';
import { formatBytes, parseSize } from '../../src/cli/size.ts';

// `cache --prune --max-size <size>` and the sizes `cache` prints, through the bytes package.
describe('sizes on the command line', () => {
  it('reads 1024-based sizes with or without B and i', () => {
    expect(parseSize('2G')).toBe(2 * 1024 ** 3);
    expect(parseSize('500M')).toBe(500 * 1024 ** 2);
    expect(parseSize('1.5GiB')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('10 kb')).toBe(10 * 1024);
    expect(parseSize('4096')).toBe(4096);
  });

  it('refuses what is not a size, saying so', () => {
    for (const bad of ['abc', '12abc', '-1G', '', '2 G B'])
      expect(() => parseSize(bad), bad).toThrow(`not a size: ${bad} (e.g. 2G, 500M)`);
  });

  it('prints sizes in 1024-based units', () => {
    expect(formatBytes(4 * 1024 ** 3)).toBe('4 GB');
    expect(formatBytes(123456789)).toBe('117.7 MB');
    expect(formatBytes(0)).toBe('0 B');
  });
});
