import type { CompilePhases } from '../types.ts';

const SCONS_START = 'Nuitka: Running C compilation via Scons.';
const LINK_START = 'Nuitka-Scons: Backend linking program';

/**
 * Feed it py2wasm's stdout/stderr as it arrives; `phases()` after the exit. Undefined when the
 * compile did not reach the link (a failure says more than its timings).
 */
export function phaseClock(started = performance.now()): {
  push: (chunk: Buffer) => void;
  phases: () => CompilePhases | undefined;
  /** Whether Nuitka handed over to the C backend (Scons: the C compiler, the linker). */
  reachedBackend: () => boolean;
} {
  let partial = '';
  let sconsAt: number | undefined;
  let linkAt: number | undefined;
  return {
    push(chunk) {
      const now = performance.now();
      const lines = (partial + chunk.toString('latin1')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (sconsAt === undefined && line.includes(SCONS_START)) sconsAt = now;
        else if (linkAt === undefined && line.includes(LINK_START)) linkAt = now;
      }
    },
    reachedBackend: () => sconsAt !== undefined,
    phases() {
      if (sconsAt === undefined || linkAt === undefined) return undefined;
      const end = performance.now();
      return {
        pythonMs: Math.round(sconsAt - started),
        cMs: Math.round(linkAt - sconsAt),
        linkMs: Math.round(end - linkAt),
      };
    },
  };
}
