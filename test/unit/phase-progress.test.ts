import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatElapsed, startPhase } from '../../src/report/phase-progress.ts';

describe('phase progress', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const phase = () => {
    const lines: string[] = [];
    const p = startPhase('diagnose decorators.example1', {
      write: (l) => lines.push(l),
      quietMs: 3000,
      everyMs: 10_000,
      now: () => Date.now(),
    });
    return { p, lines };
  };

  it('shows nothing for a short phase', () => {
    const { p, lines } = phase();
    p.update('re-running under the debug iwasm');
    vi.advanceTimersByTime(2000);
    p.end();
    expect(lines).toEqual([]);
  });

  it('a long phase says what it does and for how long, at most once per interval, even when nothing calls update', () => {
    const { p, lines } = phase();
    p.update('re-running under the debug iwasm');
    vi.advanceTimersByTime(3000);
    expect(lines).toEqual(['diagnose decorators.example1: re-running under the debug iwasm (3 s)']);
    p.update('symbolizing', { done: 1, total: 4 });
    vi.advanceTimersByTime(5000);
    expect(lines).toHaveLength(1); // within the interval
    vi.advanceTimersByTime(7000);
    expect(lines.at(-1)).toBe('diagnose decorators.example1: symbolizing 1/4 (15 s)');
    vi.advanceTimersByTime(8 * 60_000); // eight silent minutes still show up
    expect(lines.length).toBeGreaterThan(40);
    expect(lines.at(-1)).toMatch(/symbolizing 1\/4 \(8m 1\ds\)$/);
    p.end();
    expect(lines.at(-1)).toBe('diagnose decorators.example1: done in 8m 15s');
    const count = lines.length;
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(count);
  });

  it('formats elapsed time', () => {
    expect(formatElapsed(400)).toBe('0 s');
    expect(formatElapsed(59_400)).toBe('59 s');
    expect(formatElapsed(185_000)).toBe('3m 05s');
  });
});
