import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freeCompileCore, withCompileCore } from '../../src/process/compile-cores.ts';
import { phaseClock } from '../../src/tools/py2wasm-phases.ts';

describe('compile phases from py2wasm log lines', () => {
  it('splits a real compile log at the Scons start and the link, across chunk boundaries', async () => {
    const log = await fs.readFile(path.join(import.meta.dirname, '../fixtures/py2wasm/hello/compile-log.txt'));
    const now = vi.spyOn(performance, 'now');
    now.mockReturnValue(1000);
    const clock = phaseClock(0);
    const text = log.toString('latin1');
    const scons = text.indexOf('Running C compilation');
    const link = text.indexOf('Backend linking program');
    // the marker lines arrive in pieces, in separate chunks
    clock.push(log.subarray(0, scons + 5));
    now.mockReturnValue(4000);
    clock.push(log.subarray(scons + 5, link + 3));
    now.mockReturnValue(6000);
    clock.push(log.subarray(link + 3));
    now.mockReturnValue(9000);
    expect(clock.phases()).toEqual({ pythonMs: 4000, cMs: 2000, linkMs: 3000 });
    expect(clock.reachedBackend()).toBe(true);
    now.mockRestore();
  });

  it('has no phases for a compile that never reached the link, and tells a script failure from a backend one', () => {
    // as py2wasm 2.6.3 prints it for the sample's nuitka_options.example1: Nuitka stops on its options
    const options = phaseClock(0);
    options.push(Buffer.from("FATAL: Error, './settings.ini' does not match any files.\n"));
    expect(options.phases()).toBeUndefined();
    expect(options.reachedBackend()).toBe(false);
    const backend = phaseClock(0);
    backend.push(Buffer.from('Nuitka: Running C compilation via Scons.\nscons: *** [module.__main__.o] Error 127\n'));
    expect(backend.phases()).toBeUndefined();
    expect(backend.reachedBackend()).toBe(true);
  });
});

describe('compile cores: one compile per core, Scons jobs matched to the free cores', () => {
  let lockDir: string;
  beforeAll(async () => {
    lockDir = await fs.mkdtemp(path.join(os.tmpdir(), 'compile-cores-'));
  });
  afterAll(() => fs.rm(lockDir, { recursive: true, force: true }));

  it('gives a lone compile every core, two side by side one each, and makes a third wait', async () => {
    const cores = { lockDir, count: 2 };
    const events: string[] = [];
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    let started!: () => void;
    const firstStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const first = withCompileCore(cores, undefined, async (jobs) => {
      events.push(`first jobs=${jobs}`);
      started();
      await firstHeld;
    });
    await firstStarted;
    expect(await freeCompileCore(cores)).toBe(true);
    let releaseSecond!: () => void;
    const second = withCompileCore(cores, undefined, async (jobs) => {
      events.push(`second jobs=${jobs}`);
      await new Promise<void>((resolve) => {
        releaseSecond = resolve;
      });
    });
    await vi.waitFor(() => expect(events).toContain('second jobs=1'));
    expect(await freeCompileCore(cores)).toBe(false);
    const third = withCompileCore(cores, undefined, async (jobs) => {
      events.push(`third jobs=${jobs}`);
    });
    await new Promise((r) => setTimeout(r, 800));
    expect(events).toEqual(['first jobs=2', 'second jobs=1']);
    releaseFirst();
    await first;
    await vi.waitFor(() => expect(events).toContain('third jobs=1'), { timeout: 5000 });
    releaseSecond();
    await Promise.all([second, third]);
  });
});
