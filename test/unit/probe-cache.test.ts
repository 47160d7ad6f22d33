import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeVersion } from '../../src/doctor/probe.ts';
import { ProbeCache } from '../../src/doctor/probe-cache.ts';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'probe-cache-'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe("the doctor's probe cache", () => {
  it('asks a tool again only after it changed, across processes (the file)', async () => {
    const tool = path.join(dir, 'tool');
    const calls = path.join(dir, 'calls');
    await fs.writeFile(tool, `#!/bin/sh\necho x >> ${calls}\necho "tool 1.0"\n`, { mode: 0o755 });
    const file = path.join(dir, 'probes.json');
    const count = async () => (await fs.readFile(calls, 'utf8')).trim().split('\n').length;

    const first = new ProbeCache(file);
    expect((await probeVersion([tool], ['--version'], first)).output).toBe('tool 1.0');
    await first.save();
    const second = new ProbeCache(file);
    expect((await probeVersion([tool], ['--version'], second)).output).toBe('tool 1.0');
    expect(await count()).toBe(1);

    // an upgrade in place: new content, new size and mtime
    await fs.writeFile(tool, `#!/bin/sh\necho x >> ${calls}\necho "tool 2.0.1"\n`, { mode: 0o755 });
    expect((await probeVersion([tool], ['--version'], new ProbeCache(file))).output).toBe('tool 2.0.1');
    expect(await count()).toBe(2);
  });

  it('keeps no answer of a tool that could not run', async () => {
    const cache = new ProbeCache(path.join(dir, 'other.json'));
    const missing = path.join(dir, 'no-such-tool');
    expect((await probeVersion([missing], ['--version'], cache)).failure).toMatch(/could not start/);
    await cache.save();
    await expect(fs.access(path.join(dir, 'other.json'))).rejects.toThrow();
  });
});
