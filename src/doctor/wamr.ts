import type { ResolvedOptions } from '../config/options.ts';
import { variantOfRuntime } from '../config/wamr.ts';
import type { DoctorLine } from './line.ts';
import { ensureWamrVariants, type WamrAvailability } from '../wamr/ensure.ts';

export interface WamrCheck {
  lines: DoctorLine[];
  wamr?: WamrAvailability;
  /** runtime name (`iwasm:classic`) -> why it cannot run */
  problems: Record<string, string>;
}

/**
 * The doctor's lines for the WAMR checkout: one per variant, built for the current fingerprint or
 * not and why. `built` is what a run's setup just built; without it only finished builds are found.
 */
export async function checkWamr(options: ResolvedOptions, built?: WamrAvailability): Promise<WamrCheck> {
  const needed = (runtime: string) =>
    options.targets.some((t) => t.runtime === runtime || (runtime === 'iwasm:release' && t.runtime === 'iwasm'));
  const check: WamrCheck = { lines: [], problems: {} };
  if (!options.wamr) {
    for (const t of options.targets) {
      if (variantOfRuntime(t.runtime))
        check.problems[t.runtime] =
          `${t.runtime} is built from a WAMR checkout: set WAMR_DIR=<wasm-micro-runtime checkout> or wamr: { checkout } in the config`;
    }
    for (const [runtime, message] of Object.entries(check.problems))
      check.lines.push({ tool: runtime, status: 'missing', needed: true, message });
    return check;
  }
  let wamr: WamrAvailability;
  try {
    wamr = built ?? (await ensureWamrVariants(options.wamr, { cacheDir: options.cacheDir, build: false }));
  } catch (error) {
    const message = `WAMR checkout ${options.wamr.checkout}: ${(error as Error).message}`;
    for (const v of options.wamr.variants) check.problems[`iwasm:${v}`] = message;
    check.lines.push({ tool: 'wamr', status: 'missing', needed: true, message });
    return check;
  }
  check.wamr = wamr;
  check.lines.push({ tool: 'wamr', status: 'ok', command: wamr.checkout, version: wamr.fingerprint, needed: true });
  for (const variant of options.wamr.variants) {
    const runtime = `iwasm:${variant}`;
    const binary = wamr.variants[variant];
    const problem = wamr.problems[variant];
    if (binary) {
      const ms = wamr.builtMs[variant];
      check.lines.push({
        tool: runtime,
        status: 'ok',
        command: binary.iwasm,
        version: `${wamr.fingerprint}${ms !== undefined ? ` (built in ${(ms / 1000).toFixed(1)} s)` : ''}`,
        needed: needed(runtime),
      });
    } else {
      check.problems[runtime] = problem ?? `${runtime} was not built`;
      check.lines.push({ tool: runtime, status: 'missing', needed: needed(runtime), message: check.problems[runtime] });
    }
  }
  for (const note of wamr.notes) check.lines.push({ tool: 'wamr', status: 'warn', needed: false, message: note });
  return check;
}
