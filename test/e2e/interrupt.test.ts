import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, resolveOptions } from '../../src/config/options.ts';
import { ensureToolchain, type Toolchain } from '../../src/toolchain/index.ts';

// A real `vitest run` of a one-case cookbook, interrupted while the real py2wasm is compiling
// (scons and clang running below it): by Ctrl-C to vitest's process group, and by SIGKILL to
// vitest's main process. Afterwards nothing it started may run, and its scratch copies and
// compile work folders must be gone.
let toolchain: Toolchain;
let work: string;

interface Proc {
  pid: number;
  ppid: number;
  cmdline: string;
  cwd: string;
}

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (after[0] === 'Z') continue;
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${name}/cwd`);
      } catch {
        // gone meanwhile: no working folder to report
      }
      out.push({
        pid: Number(name),
        ppid: Number(after[1]),
        cmdline: readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' '),
        cwd,
      });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const descendantsOf = (root: number, all: Proc[]): Proc[] => {
  const out: Proc[] = [];
  const walk = (pid: number) => {
    for (const p of all.filter((q) => q.ppid === pid)) {
      out.push(p);
      walk(p.pid);
    }
  };
  walk(root);
  return out;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function interruptMidCompile(
  how: 'SIGINT to the group' | 'SIGKILL to the main process',
): Promise<{ started: Proc[]; left: Proc[]; scratch: string[]; compileTmp: string[] }> {
  const stem = `interrupted_${how.startsWith('SIGINT') ? 'int' : 'kill'}_${process.pid}_${Date.now()}`;
  const cacheDir = path.join(work, `cache-${stem}`);
  const recipe = path.join(work, `cookbook-${stem}`, '1', 'recipe');
  await fs.mkdir(recipe, { recursive: true });
  await fs.writeFile(
    path.join(recipe, `${stem}.py`),
    'import json, decimal, fractions\nprint(json.dumps({"n": str(decimal.Decimal(1) / 7)}))\n',
  );
  const vitest = spawn(
    path.join(PROJECT_ROOT, 'node_modules', '.bin', 'vitest'),
    ['run', '--config', 'vitest.config.ts'],
    {
      cwd: PROJECT_ROOT,
      detached: true, // a process group of its own, as a terminal gives it
      stdio: ['ignore', 'ignore', 'ignore'],
      env: {
        ...process.env,
        COOKBOOK_DIR: path.dirname(path.dirname(recipe)),
        PY2WASM_CACHE_DIR: cacheDir,
        PY2WASM: toolchain.py2wasm.join(' '),
        WASI_SDK_DIR: toolchain.wasiSdkDir,
        NUITKA_CACHE_DIR: path.join(cacheDir, 'nuitka'),
        PY2WASM_REPORT_DIR: path.join(cacheDir, 'report'),
        PY2WASM_COMPILE_SLOTS: '1',
        PY2WASM_TARGETS: 'py2wasm+node',
        NO_COLOR: '1',
      },
    },
  );
  const exited = new Promise<void>((resolve) => vitest.once('exit', () => resolve()));
  let started: Proc[] = [];
  const deadline = Date.now() + 8 * 60_000;
  // mid-compile: a C compiler (or scons) working on this script's build folder
  while (Date.now() < deadline) {
    const all = processes();
    started = descendantsOf(vitest.pid!, all);
    if (started.some((p) => p.cmdline.includes(stem) && /clang|scons/.test(p.cmdline))) break;
    await sleep(250);
  }
  expect(
    started.some((p) => p.cmdline.includes(stem) && /clang|scons/.test(p.cmdline)),
    'the compile reached scons/clang',
  ).toBe(true);
  if (how === 'SIGINT to the group') process.kill(-vitest.pid!, 'SIGINT');
  else process.kill(vitest.pid!, 'SIGKILL');
  await Promise.race([exited, sleep(60_000)]);
  await sleep(3000);
  const startedPids = new Set(started.map((p) => p.pid));
  const left = processes().filter(
    (p) => startedPids.has(p.pid) || p.cmdline.includes(stem) || p.cwd.startsWith(cacheDir),
  );
  const list = async (dir: string) => await fs.readdir(dir).catch(() => [] as string[]);
  return {
    started,
    left,
    scratch: await list(path.join(cacheDir, 'scratch')),
    compileTmp: await list(path.join(cacheDir, 'compile', 'tmp')),
  };
}

describe('an interrupted vitest run, real py2wasm mid-compile', () => {
  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'interrupt-'));
    toolchain = await ensureToolchain({ cacheDir: resolveOptions().cacheDir, verify: false });
  }, 30 * 60_000);
  afterAll(async () => {
    // py2wasm's own build folders of these stems, inside its install
    const builds = path.join(toolchain.nuitkaPackageDir ?? '', '__py2wasm');
    for (const name of await fs.readdir(builds).catch(() => [] as string[])) {
      if (name.startsWith(`interrupted_`) && name.includes(`_${process.pid}_`))
        await fs.rm(path.join(builds, name), { recursive: true, force: true });
    }
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  for (const how of ['SIGINT to the group', 'SIGKILL to the main process'] as const) {
    it(
      `leaves no process and no partial files after ${how}`,
      async () => {
        const { started, left, scratch, compileTmp } = await interruptMidCompile(how);
        expect(started.length).toBeGreaterThan(3);
        expect(left.map((p) => `${p.pid} ${p.cmdline.slice(0, 160)}`)).toEqual([]);
        expect(scratch).toEqual([]);
        expect(compileTmp).toEqual([]);
      },
      10 * 60_000,
    );
  }
});
