import fs from 'node:fs/promises';
import path from 'node:path';
import { DEBIAN_WASI_INCLUDE, ZIGLANG_SPEC } from './constants.ts';
import { CLEAN_PYTHON_ENV, runChecked } from './exec.ts';
import { ToolchainError } from './types.ts';

export interface MuslPthreadHeader {
  /** musl's pthread.h for wasm32-wasi, as it is in the wheel. */
  text: string;
  /** e.g. `ziglang 0.17.1` */
  source: string;
  /** How the wheel's `bits/alltypes.h` compares with the sysroot's, which pthread.h's types come from. */
  alltypes: 'identical' | 'compatible';
}

const WHEEL_DIR = 'ziglang/lib/libc/include/wasm-wasi-musl';

// Reads two members of the wheel (a zip) without unpacking its ~100 MB.
const EXTRACT_PY = `
import sys, zipfile, json
whl, out = sys.argv[1], sys.argv[2]
names = {"pthread.h": "${WHEEL_DIR}/pthread.h", "alltypes.h": "${WHEEL_DIR}/bits/alltypes.h"}
with zipfile.ZipFile(whl) as z:
    for local, member in names.items():
        with open(out + "/" + local, "wb") as f:
            f.write(z.read(member))
`;

/**
 * The 2022 Debian wasi-libc has no pthread.h, and CPython's pythread.h includes it. PyPI's ziglang
 * wheel ships wasi-libc's (musl's) header: download the wheel into a temp dir, take that one file.
 */
export async function fetchMuslPthreadHeader(opts: {
  python: string[];
  tmpDir: string;
  sysrootInclude?: string;
  spec?: string;
  signal?: AbortSignal;
}): Promise<MuslPthreadHeader> {
  const spec = opts.spec ?? ZIGLANG_SPEC;
  const dl = path.join(opts.tmpDir, 'ziglang-download');
  await fs.mkdir(dl, { recursive: true });
  try {
    await runChecked(
      [...opts.python, '-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--dest', dl, spec],
      {
        what: `pip download ${spec} (for pthread.h)`,
        cwd: dl,
        timeoutMs: 15 * 60_000,
        env: CLEAN_PYTHON_ENV,
        signal: opts.signal,
      },
    );
    const wheel = (await fs.readdir(dl)).find((n) => n.startsWith('ziglang-') && n.endsWith('.whl'));
    if (!wheel) throw new ToolchainError(`pip download ${spec} left no ziglang wheel in ${dl}`);
    await runChecked([...opts.python, '-c', EXTRACT_PY, path.join(dl, wheel), dl], {
      what: `extracting pthread.h from ${wheel}`,
      cwd: dl,
      timeoutMs: 120_000,
      env: CLEAN_PYTHON_ENV,
      signal: opts.signal,
    });
    const text = await fs.readFile(path.join(dl, 'pthread.h'), 'utf8');
    const wheelAlltypes = await fs.readFile(path.join(dl, 'alltypes.h'), 'utf8');
    const sysrootAlltypes = await fs.readFile(
      path.join(opts.sysrootInclude ?? DEBIAN_WASI_INCLUDE, 'bits', 'alltypes.h'),
      'utf8',
    );
    const version = /^ziglang-([^-]+)-/.exec(wheel)?.[1] ?? '?';
    return { text, source: `ziglang ${version}`, alltypes: checkAlltypes(text, wheelAlltypes, sysrootAlltypes) };
  } finally {
    await fs.rm(dl, { recursive: true, force: true });
  }
}

/**
 * pthread.h only asks `bits/alltypes.h` for types (`#define __NEED_pthread_t`), and the sysroot's
 * alltypes.h answers. Identical files: same layouts. Otherwise every type it needs must at least be
 * defined there; a layout difference could then still go unseen, hence 'compatible', not 'identical'.
 */
export function checkAlltypes(
  pthreadH: string,
  wheelAlltypes: string,
  sysrootAlltypes: string,
): 'identical' | 'compatible' {
  if (wheelAlltypes === sysrootAlltypes) return 'identical';
  const needed = [...pthreadH.matchAll(/#define\s+__NEED_(\w+)/g)].map((m) => m[1]!);
  const absent = needed.filter((t) => !sysrootAlltypes.includes(`defined(__NEED_${t})`));
  if (absent.length > 0) {
    throw new ToolchainError(
      `pthread.h from ziglang needs types the sysroot's bits/alltypes.h does not define: ${absent.join(', ')}`,
    );
  }
  return 'compatible';
}
