#!/usr/bin/env node
// Test double for WAMR iwasm, which no registry ships: it replays what a real iwasm printed for
// the same program (recorded in test/fixtures/iwasm-replay/recorded/<stem>/, copied from the
// project's reference captures). Same CLI as iwasm: [options] <stem>.wasm [args].
// Its command line is checked as iwasm 2.4.3 checks it, with iwasm's own answers to a wrong one
// (test/fixtures/iwasm-usage/, recorded from a real build): an unknown flag, a flag with a space
// instead of `=`, an empty value, `--env=` without `key=value`, `--map-dir=` without `guest::host`,
// a folder that does not exist. So a wrong flag from the adapter fails a test as it would fail iwasm.
// Run as iwasm.dbg-replay.mjs (a link to this file), or with IWASM_REPLAY_KIND=iwasm-dbg, it
// replays the debug build (call-stack dumps) instead.
// Where a program was also recorded compiled with `--trace-execution` or `--debug` (the options
// py2wasm-standin.sh's header mode writes into a "nuitka-project" custom section) or run with
// `--env=PYTHONUNBUFFERED=1`, those runs replay their own recordings (`iwasm.trace-execution.*`,
// `iwasm.debug.*`, `iwasm.unbuffered.*`); a run of such a kind never recorded fails as a load error.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const recorded = process.env.IWASM_REPLAY_DIR ?? path.join(here, '..', 'fixtures', 'iwasm-replay', 'recorded');
const answers = path.join(here, '..', 'fixtures', 'iwasm-usage');
// invoked as iwasm.dbg-replay: the debug build's recording (call-stack dumps on stdout)
const kind =
  process.env.IWASM_REPLAY_KIND ??
  (path.basename(process.argv[1] ?? '').startsWith('iwasm.dbg') ? 'iwasm-dbg' : 'iwasm');

/** Print what the real iwasm printed for this kind of mistake, and exit as it did. */
function refuse(answer, before = '') {
  const status = Number(fs.readFileSync(path.join(answers, `2.4.3.${answer}.exitcode`), 'utf8').trim());
  const usage = fs.readFileSync(path.join(answers, '2.4.3.bad-flag.stdout'), 'utf8');
  process.stdout.write(answer === 'bad-flag' ? `${before}${usage}` : before, () => process.exit(status));
  return null;
}

/** iwasm 2.4.3's option loop: options up to the first argument not starting with `-`, then the wasm and its args. */
function parseArgs(argv) {
  let i = 0;
  for (; i < argv.length && argv[i].startsWith('-'); i++) {
    const arg = argv[i];
    const value = (prefix) => (arg.startsWith(prefix) ? arg.slice(prefix.length) : undefined);
    if (arg === '--version') return { version: true };
    if (arg === '-f' || arg === '--function') {
      if (++i >= argv.length) return refuse('bad-flag');
    } else if (arg === '--interp' || arg === '--repl') {
      // accepted, nothing to check
    } else if (value('-v=') !== undefined) {
      if (!/^[0-5]$/.test(value('-v='))) return refuse('bad-flag');
    } else if (value('--stack-size=') !== undefined || value('--heap-size=') !== undefined) {
      if ((value('--stack-size=') ?? value('--heap-size=')) === '') return refuse('bad-flag');
    } else if (value('--env=') !== undefined) {
      const env = value('--env=');
      if (env === '') return refuse('bad-flag');
      if (!env.includes('='))
        return refuse('bad-flag', `Wasm parse env string failed: expect "key=value", got "${env}"\n`);
    } else if (value('--dir=') !== undefined) {
      const dir = value('--dir=');
      if (dir === '') return refuse('bad-flag');
      if (!fs.existsSync(dir)) return refuse('missing-dir', `error while pre-opening directory ${dir}: 2\n\n`);
    } else if (value('--map-dir=') !== undefined) {
      const map = value('--map-dir=');
      if (map === '') return refuse('bad-flag');
      const sep = map.indexOf('::');
      if (sep < 0) return refuse('bad-map-dir', 'error while pre-opening mapped directory: invalid map\n\n');
      const host = map.slice(sep + 2);
      if (!fs.existsSync(host))
        return refuse('missing-map-dir', `error while pre-opening mapped directory ${host}: 2\n\n`);
    } else if (
      value('--addr-pool=') === undefined &&
      value('--allow-resolve=') === undefined &&
      value('--native-lib=') === undefined
    ) {
      return refuse('bad-flag');
    }
  }
  if (i >= argv.length) return refuse('bad-flag');
  return { wasm: argv[i], args: argv.slice(i + 1), unbuffered: argv.slice(0, i).includes('--env=PYTHONUNBUFFERED=1') };
}

const parsed = parseArgs(process.argv.slice(2));
if (parsed?.version) {
  process.stdout.write('iwasm 2.4.3 (replay of recorded output)\n');
  process.exit(0);
}
if (parsed?.wasm) replay(parsed.wasm, parsed.unbuffered);

/** Which recording of a program this run is: its build's options, then its environment. */
function recordingKind(wasm, unbuffered) {
  const bytes = fs.existsSync(wasm) ? fs.readFileSync(wasm) : Buffer.alloc(0);
  const options =
    WebAssembly.validate(bytes) && bytes.length < 1 << 20
      ? WebAssembly.Module.customSections(new WebAssembly.Module(bytes), 'nuitka-project')
          .map((b) => Buffer.from(b).toString())
          .join(' ')
      : '';
  const build = /--trace-execution\b/.test(options) ? '.trace-execution' : /--debug\b/.test(options) ? '.debug' : '';
  return `${kind}${build}${unbuffered ? '.unbuffered' : ''}`;
}

function replay(wasm, unbuffered) {
  const stem = path.basename(wasm).replace(/\.(wasm|aot)$/, '');
  // lets a test count how often a program was run
  const recording = recordingKind(wasm, unbuffered);
  if (process.env.IWASM_REPLAY_LOG) fs.appendFileSync(process.env.IWASM_REPLAY_LOG, `${recording} ${stem}\n`);
  const dir = path.join(recorded, stem);
  const read = (name) =>
    fs.existsSync(path.join(dir, `${recording}.${name}`))
      ? fs.readFileSync(path.join(dir, `${recording}.${name}`))
      : null;
  const status = read('exitcode');
  if (!status) {
    // what a real iwasm says for a file it cannot use
    process.stdout.write(
      `WASM module load failed: no recording for ${stem}${recording === kind ? '' : ` (${recording})`}\n`,
    );
    process.exit(255);
  }
  if (!fs.existsSync(wasm)) {
    process.stdout.write(`Read file to buffer failed: open file ${wasm} failed.\n`);
    process.exit(255);
  }
  const code = Number(status.toString().trim());
  process.stderr.write(read('stderr') ?? '');
  process.stdout.write(read('stdout') ?? '', () => {
    // 124 is the recording's `timeout` wrapper: the real program never ended
    if (code === 124) setInterval(() => {}, 1 << 30);
    else process.exit(code);
  });
}
