import { resolveOptions } from '../../config/options.ts';
import { ensureWamrVariants } from '../../wamr/ensure.ts';

export interface SetupWamrIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** `setup --wamr <checkout> [--variants release,classic]`: build the checkout's iwasm variants into the cache; exit 1 if any failed. */
export async function setupWamrCommand(flags: { wamr: string; variants?: string }, io: SetupWamrIO): Promise<number> {
  const env = { ...process.env, WAMR_DIR: flags.wamr, ...(flags.variants ? { WAMR_VARIANTS: flags.variants } : {}) };
  const options = resolveOptions({}, env);
  const wamr = await ensureWamrVariants(options.wamr!, {
    cacheDir: options.cacheDir,
    build: true,
    onProgress: (msg) => io.stderr(`setup: ${msg}\n`),
  });
  io.stdout(`WAMR checkout: ${wamr.checkout}\nfingerprint: ${wamr.fingerprint}\n`);
  for (const [variant, binary] of Object.entries(wamr.variants)) {
    const ms = wamr.builtMs[variant as keyof typeof wamr.builtMs];
    io.stdout(
      `iwasm:${variant}: ${binary.iwasm}${binary.wamrc ? ` (wamrc ${binary.wamrc})` : ''}${ms !== undefined ? ` built in ${(ms / 1000).toFixed(1)} s` : ' (already built)'}\n`,
    );
  }
  for (const note of wamr.notes) io.stdout(`note: ${note}\n`);
  for (const problem of Object.values(wamr.problems)) io.stderr(`${problem}\n`);
  return Object.keys(wamr.problems).length ? 1 : 0;
}
