#!/usr/bin/env node
// Test double for WAMR iwasm, which no registry ships: it replays what a real iwasm printed for
// the same program (recorded in test/fixtures/iwasm-replay/recorded/<stem>/, copied from the
// project's reference captures). Same CLI as iwasm: [options] <stem>.wasm [args].
// Run as iwasm.dbg-replay.mjs (a link to this file), or with IWASM_REPLAY_KIND=iwasm-dbg, it
// replays the debug build (call-stack dumps) instead.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const recorded = process.env.IWASM_REPLAY_DIR ?? path.join(here, '..', 'fixtures', 'iwasm-replay', 'recorded');
// invoked as iwasm.dbg-replay: the debug build's recording (call-stack dumps on stdout)
const kind = process.env.IWASM_REPLAY_KIND ?? (path.basename(process.argv[1] ?? '').startsWith('iwasm.dbg') ? 'iwasm-dbg' : 'iwasm');
const args = process.argv.slice(2);
if (args[0] === '--version') {
  process.stdout.write('iwasm 2.4.3 (replay of recorded output)\n');
  process.exit(0);
}
const wasm = args.find((a) => !a.startsWith('-'));
if (!wasm) {
  process.stdout.write('Usage: iwasm [-options] wasm_file [args...]\n');
  process.exit(1);
}
const stem = path.basename(wasm).replace(/\.(wasm|aot)$/, '');
// lets a test count how often a program was run
if (process.env.IWASM_REPLAY_LOG) fs.appendFileSync(process.env.IWASM_REPLAY_LOG, `${kind} ${stem}\n`);
const dir = path.join(recorded, stem);
const read = (name) => (fs.existsSync(path.join(dir, `${kind}.${name}`)) ? fs.readFileSync(path.join(dir, `${kind}.${name}`)) : null);
const status = read('exitcode');
if (!status) {
  // what a real iwasm says for a file it cannot use
  process.stdout.write(`WASM module load failed: no recording for ${stem}\n`);
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
