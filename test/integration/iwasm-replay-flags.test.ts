import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iwasmRuntime, iwasmTemplate } from '../../src/tools/runtimes/iwasm.ts';
import { wasiPythonMapping, type WasmRunRequest } from '../../src/tools/runtimes/runtime.ts';
import { templateRuntime } from '../../src/tools/runtimes/template.ts';

// The iwasm REPLAY DOUBLE checks the command line as iwasm 2.4.3 does and answers a wrong one with
// iwasm's real answer (test/fixtures/iwasm-usage/), so the adapter's flags are under test: the
// command line the adapter builds replays the recording; the same with one flag written wrong fails.
const here = path.dirname(fileURLToPath(import.meta.url));
const double = path.join(here, '..', 'doubles', 'iwasm-replay.mjs');
const recorded = (name: string) =>
  fs.readFileSync(path.join(here, '..', 'fixtures', 'iwasm-replay', 'recorded', 'exit3', name), 'utf8');
const usage = fs.readFileSync(path.join(here, '..', 'fixtures', 'iwasm-usage', '2.4.3.bad-flag.stdout'), 'utf8');

let cwd: string;
let request: WasmRunRequest;

beforeAll(() => {
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'iwasm-flags-'));
  fs.writeFileSync(path.join(cwd, 'exit3.wasm'), '\0asm\x01\0\0\0'); // the double replays by name
  fs.mkdirSync(path.join(cwd, 'stdlib'));
  const mapping = wasiPythonMapping(path.join(cwd, 'stdlib'));
  request = {
    cwd,
    wasmFile: 'exit3.wasm',
    args: ['a1'],
    env: { ...mapping.env, LANG: 'C.UTF-8' },
    mapDirs: mapping.mapDirs,
    timeoutMs: 20_000,
  };
});
afterAll(() => fs.rmSync(cwd, { recursive: true, force: true }));

/** The built-in iwasm template with one element of its command line replaced. */
const withFlag = (from: string, to: Array<string | string[]>) => {
  const template = iwasmTemplate([double]);
  const at = template.command.indexOf(from);
  if (at < 0) throw new Error(`no ${from} in ${JSON.stringify(template.command)}`);
  return templateRuntime('iwasm', {
    ...template,
    command: [...template.command.slice(0, at), ...to, ...template.command.slice(at + 1)],
  });
};

describe('iwasm replay double: the command line the adapter builds', () => {
  it('passes every flag of the adapter (--dir, --stack-size, --map-dir, --env) and replays the recording', async () => {
    const runtime = iwasmRuntime([double]);
    const command = runtime.commandFor(request);
    expect(command).toEqual([
      double,
      '--dir=.',
      expect.stringMatching(/^--stack-size=\d+$/),
      `--map-dir=/usr/local/lib::${path.join(cwd, 'stdlib')}`,
      '--env=PYTHONHOME=/usr/local',
      '--env=LANG=C.UTF-8',
      'exit3.wasm',
      'a1',
    ]);
    const run = await runtime.run(request);
    expect(run.exitCode).toBe(Number(recorded('iwasm.exitcode').trim()));
    expect(run.stdout.text).toBe(recorded('iwasm.stdout'));
  });

  it.for<[string, string, Array<string | string[]>, number, string]>([
    ['a stack size with a space', '--stack-size={stackSize}', ['--stack-size', '{stackSize}'], 1, usage],
    ['an unknown flag', '--dir=.', ['--dir=.', '--stack=1'], 1, usage],
    ['--env as two arguments', '--env={env}', [['--env', '{env}']], 1, usage],
    [
      '--env= without key=value',
      '--env={env}',
      ['--env=PYTHONHOME'],
      1,
      `Wasm parse env string failed: expect "key=value", got "PYTHONHOME"\n${usage}`,
    ],
    [
      '--map-dir to a host folder that is not there',
      '--map-dir={guest}::{host}',
      ['--map-dir={guest}::{host}/no-such-folder'],
      255,
      `error while pre-opening mapped directory %s/stdlib/no-such-folder: 2\n\n`,
    ],
    [
      '--map-dir without ::',
      '--map-dir={guest}::{host}',
      ['--map-dir={host}'],
      255,
      'error while pre-opening mapped directory: invalid map\n\n',
    ],
    [
      '--dir of a folder that is not there',
      '--dir=.',
      ['--dir=./no-such-folder'],
      255,
      'error while pre-opening directory ./no-such-folder: 2\n\n',
    ],
  ])("fails with iwasm's own answer on %s", async ([, from, to, exitCode, stdout]) => {
    const run = await withFlag(from, to).run(request);
    expect(run.exitCode).toBe(exitCode);
    expect(run.stdout.text).toBe(stdout.replace('%s', cwd));
    expect(run.stdout.text).not.toContain(recorded('iwasm.stdout').trim() || '\0');
  });
});
