// Progress of a phase that may take long (diagnosing a trap, writing the report): nothing for a
// short one, then a line now and then with what it is doing and for how long, so a long phase is
// never silent. Any phase calls update(); the phase decides nothing about output.

import { escapeControls } from '../records.ts';

export interface PhaseProgressOptions {
  /**
   * Where the lines go.
   * @default a line on stderr
   */
  write?: (line: string) => void;
  /**
   * A phase that ends sooner shows nothing.
   * @default 3000
   */
  quietMs?: number;
  /**
   * At most one line per interval, and at least one while the phase goes on.
   * @default 10000
   */
  everyMs?: number;
  /** @default Date.now */
  now?: () => number;
}

export const PHASE_PROGRESS_DEFAULTS: Required<Omit<PhaseProgressOptions, 'write' | 'now'>> = {
  quietMs: 3000,
  everyMs: 10_000,
};

export interface PhaseProgress {
  /** What the phase is doing now; counts when it works through a list. */
  update(detail: string, counts?: { done: number; total: number }): void;
  /** The phase is over: a closing line when it had shown any. */
  end(detail?: string): void;
}

/** `12 s`, `3m 05s` */
export function formatElapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

export function startPhase(label: string, options: PhaseProgressOptions = {}): PhaseProgress {
  const { quietMs, everyMs } = { ...PHASE_PROGRESS_DEFAULTS, ...options };
  const write = options.write ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const started = now();
  let detail = '';
  let counts = '';
  let lastShown: number | undefined;
  const show = () => {
    const t = now();
    if (t - started < quietMs || (lastShown !== undefined && t - lastShown < everyMs)) return;
    lastShown = t;
    write(escapeControls(`${label}: ${detail}${counts} (${formatElapsed(t - started)})`));
  };
  // a heartbeat while nothing calls update(): the phase is alive, and for how long
  const timer = setInterval(show, Math.min(quietMs, everyMs));
  timer.unref?.();
  return {
    update(next, c) {
      detail = next;
      counts = c ? ` ${c.done}/${c.total}` : '';
      show();
    },
    end(last) {
      clearInterval(timer);
      if (lastShown !== undefined)
        write(escapeControls(`${label}: ${last ?? 'done'} in ${formatElapsed(now() - started)}`));
    },
  };
}
