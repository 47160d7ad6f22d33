import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProcess } from '../../src/process/run.ts';
import { runPython } from '../../src/tools/python.ts';

import { readdirSync, readFileSync } from 'node:fs';

/** Running, not a zombie waiting for a reaper (killed orphans can linger as zombies). */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

describe('runProcess (real processes)', () => {
  it('captures stdout, stderr and the exit status with stdin closed', async () => {
    const out = await runProcess(['sh', '-c', 'cat; echo out; echo err >&2; exit 3'], {
      cwd: os.tmpdir(),
      timeoutMs: 10_000,
    });
    expect(out).toMatchObject({ exitCode: 3, timedOut: false, signal: null });
    expect(out.stdout.text).toBe('out\n');
    expect(out.stderr.text).toBe('err\n');
  });

  it('kills the whole process tree on timeout, including a child in its own session', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tree-'));
    const pids = path.join(dir, 'pids');
    const script = `sleep 300 & echo $! >> ${pids}; setsid sleep 300 & echo $! >> ${pids}; echo started; wait`;
    const out = await runProcess(['sh', '-c', script], { cwd: dir, timeoutMs: 1000 });
    expect(out.timedOut).toBe(true);
    expect(out.stdout.text).toBe('started\n');
    const children = (await fs.readFile(pids, 'utf8')).trim().split('\n').map(Number);
    expect(children).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 200));
    for (const pid of children) expect(alive(pid)).toBe(false);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('bounds a huge output and keeps its last line', async () => {
    const out = await runProcess(
      ['python3', '-c', 'import sys\nfor i in range(2_000_000): sys.stdout.write("line %d\\n" % i)\nprint("the end")'],
      {
        cwd: os.tmpdir(),
        timeoutMs: 60_000,
        capture: { headBytes: 64 << 10, tailBytes: 16 << 10 },
      },
    );
    expect(out.exitCode).toBe(0);
    expect(out.stdout.bytes).toBeGreaterThan(20_000_000);
    expect(out.stdout.truncated).toBe(true);
    expect(out.stdout.text.length).toBeLessThan(100_000);
    expect(out.stdout.text.endsWith('line 1999999\nthe end\n')).toBe(true);
  });

  it('keeps undecodable bytes, escaped', async () => {
    const out = await runProcess(
      ['python3', '-c', 'import sys; sys.stdout.buffer.write(b"bad: \\xff\\xfe\\x80 end\\n")'],
      { cwd: os.tmpdir(), timeoutMs: 10_000 },
    );
    expect(out.stdout.text).toBe('bad: \\xff\\xfe\\x80 end\n');
  });

  it('says what is wrong when the command does not exist or is not executable', async () => {
    const missing = await runProcess(['no-such-tool-xyz', '--version'], { cwd: os.tmpdir(), timeoutMs: 5000 });
    expect(missing.spawnError).toBe('command not found: no-such-tool-xyz');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'noexec-'));
    await fs.writeFile(path.join(dir, 'tool'), '#!/bin/sh\n');
    const noexec = await runProcess([path.join(dir, 'tool')], { cwd: dir, timeoutMs: 5000 });
    expect(noexec.spawnError).toMatch(/permission denied/);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const out = await runProcess(['sleep', '30'], { cwd: os.tmpdir(), timeoutMs: 60_000, signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(out.signal).toBe('SIGKILL');
  });

  it('leaves no survivor after 100 CPython timeouts of a case that daemonizes (fork, setsid, fork again)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'daemon-'));
    const marker = `daemon_${process.pid}_${Date.now()}`;
    const script = `${marker}.py`;
    await fs.writeFile(
      path.join(dir, script),
      [
        'import os, sys, time',
        'r, w = os.pipe()',
        'if os.fork() == 0:',
        '    os.setsid()',
        '    if os.fork() == 0:',
        '        os.write(w, b"%d\\n" % os.getpid())',
        '        time.sleep(300)',
        '    os._exit(0)',
        'print("daemon", os.read(r, 64).decode().strip(), flush=True)',
        'time.sleep(300)',
        '',
      ].join('\n'),
    );
    const daemons: number[] = [];
    const runs = Array.from({ length: 100 }, (_, i) => i);
    for (let at = 0; at < runs.length; at += 10) {
      const batch = await Promise.all(
        runs.slice(at, at + 10).map(() => runPython({ python: ['python3'], script, cwd: dir, timeoutMs: 2500 })),
      );
      for (const out of batch) {
        expect(out.timedOut).toBe(true);
        const pid = /daemon (\d+)/.exec(out.stdout.text)?.[1];
        expect(pid, `the case daemonized before its timeout: ${out.stdout.text}${out.stderr.text}`).toBeDefined();
        daemons.push(Number(pid));
      }
    }
    expect(daemons).toHaveLength(100);
    await new Promise((r) => setTimeout(r, 300));
    const survivors = readdirSync('/proc').filter(
      (p) => /^\d+$/.test(p) && alive(Number(p)) && cmdlineOf(Number(p)).includes(marker),
    );
    expect(survivors).toEqual([]);
    for (const pid of daemons) expect(alive(pid)).toBe(false);
    await fs.rm(dir, { recursive: true, force: true });
  }, 180_000);

  it('says why a command cannot be started under the process guard too', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'noexec-'));
    await fs.writeFile(path.join(dir, 'notes.txt'), 'not a program\n', { mode: 0o644 });
    const out = await runProcess(['./notes.txt'], { cwd: dir, timeoutMs: 5000 });
    expect(out.spawnError).toBe('permission denied: ./notes.txt is not executable');
    await fs.rm(dir, { recursive: true, force: true });
  });
});

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}
