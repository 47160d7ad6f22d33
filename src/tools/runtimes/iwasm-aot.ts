import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { withFileLock } from '../../process/file-lock.ts';
import { runProcess } from '../../process/run.ts';
import { iwasmTemplate } from './iwasm.ts';
import { runRuntimeCommand, toRuntimeRun, type WasmRuntime } from './runtime.ts';
import { OUTPUT_PARSERS } from './output.ts';
import { expandCommand } from './template.ts';

export interface AotRuntimeOptions {
  iwasm: string;
  wamrc: string;
  /** the WAMR checkout's fingerprint: an `.aot` belongs to the wamrc that made it */
  fingerprint: string;
  /** `<cacheDir>/wamr-aot` */
  aotCacheDir: string;
  /** wamrc takes minutes on a 26 MB py2wasm module (163-557 s measured) */
  compileTimeoutMs?: number;
}

async function sha256File(file: string): Promise<string> {
  return crypto
    .createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');
}

/**
 * iwasm on wamrc's ahead-of-time output. The `.aot` is cached by the wasm's hash and the WAMR
 * fingerprint, so each module is compiled once per WAMR build; a wamrc failure is the run's failure.
 */
export function iwasmAotRuntime(opts: AotRuntimeOptions): WasmRuntime {
  const template = iwasmTemplate([opts.iwasm], 'aot');
  return {
    name: 'iwasm:aot',
    template,
    commandFor: (req) => expandCommand(template.command, req),
    async run(req) {
      const wasm = path.resolve(req.cwd, req.wasmFile);
      const aot = path.join(
        opts.aotCacheDir,
        `${(await sha256File(wasm)).slice(0, 24)}-${opts.fingerprint.replace(/[^\w.+-]/g, '_')}.aot`,
      );
      const compiled = await withFileLock({ lockfilePath: `${aot}.lock`, signal: req.signal }, async () => {
        if (
          await fs.access(aot).then(
            () => true,
            () => false,
          )
        )
          return undefined;
        const tmp = `${aot}.tmp-${process.pid}`;
        const out = await runProcess([opts.wamrc, '-o', tmp, wasm], {
          cwd: req.cwd,
          timeoutMs: opts.compileTimeoutMs ?? 20 * 60_000,
          signal: req.signal,
        });
        if (out.exitCode === 0) await fs.rename(tmp, aot);
        else await fs.rm(tmp, { force: true });
        return out.exitCode === 0 ? undefined : out;
      });
      if (compiled) {
        const reason = `wamrc failed (${compiled.timedOut ? 'timed out' : `exit ${compiled.exitCode}`}): ${`${compiled.stderr.text}\n${compiled.stdout.text}`.trim().split('\n').at(-1) ?? ''}`;
        return {
          ...toRuntimeRun('iwasm:aot', compiled, {
            programStdout: '',
            programStderr: '',
            runtimeLines: [reason],
            frames: [],
          }),
          exitCode: compiled.exitCode || 1,
        };
      }
      const outcome = await runRuntimeCommand(expandCommand(template.command, { ...req, wasmFile: aot }), req);
      return toRuntimeRun('iwasm:aot', outcome, OUTPUT_PARSERS.iwasm(outcome, template));
    },
  };
}
