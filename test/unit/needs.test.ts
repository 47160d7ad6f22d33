import { afterEach, describe, expect, it, vi } from 'vitest';
import { skipOutsideCI, skipWithout } from '../helpers/needs.ts';

// The helpers that turn "skip without the tool" into "fail in CI".
describe('test helpers: a missing tool skips outside CI and fails in CI', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('skips outside CI', () => {
    vi.stubEnv('CI', '');
    expect(skipWithout(['clang-19'])).toBe(true);
    expect(skipWithout([])).toBe(false);
    const ctx = { skip: vi.fn() };
    skipOutsideCI(ctx, 'layout differs');
    expect(ctx.skip).toHaveBeenCalledWith('layout differs');
  });

  it('fails in CI, naming what is missing', () => {
    vi.stubEnv('CI', 'true');
    expect(() => skipWithout(['clang-19', 'llvm-symbolizer-19'])).toThrow(
      'missing in CI (CI=true): clang-19, llvm-symbolizer-19',
    );
    expect(skipWithout([])).toBe(false);
    const ctx = { skip: vi.fn() };
    expect(() => skipOutsideCI(ctx, 'layout differs')).toThrow(
      /^layout differs \(CI=true: this fails instead of skipping\)$/,
    );
    expect(ctx.skip).not.toHaveBeenCalled();
  });
});
