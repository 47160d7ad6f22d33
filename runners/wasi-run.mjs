// node --no-warnings wasi-run.mjs [--preopen GUEST=HOST]... [--env KEY=VALUE]... [--argv0 NAME] [--report-globals A,B]
//   [--dump-memory FILE] [--stack-trace-limit N] -- WASM [ARGS...]
// Runs a WASI preview1 command module with Node's built-in WASI. A trap is left uncaught, so node
// prints `RuntimeError: <message>` and the wasm frames on stderr and exits with status 1.
// --report-globals: when the module ends (trap or exit), print the values of those exported globals
// as one line `wasi-run globals: {JSON}` on stderr (an instrumented module's probes).
// --dump-memory: when the module ends, write its linear memory to FILE: after a trap it is what the
// program left (its thread state, its frames), readable with the module's DWARF.
// --stack-trace-limit: how many frames node prints for the uncaught trap (V8 prints 10 by default).
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const argv = process.argv.slice(2);
const preopens = {};
const env = {};
let argv0;
/** @type {string[]} */
let reportGlobals = [];
/** @type {string | undefined} */
let dumpMemory;
let i = 0;
for (; i < argv.length && argv[i] !== '--'; i += 2) {
  const [flag, value] = [argv[i], argv[i + 1] ?? ''];
  const eq = value.indexOf('=');
  if (flag === '--preopen') preopens[value.slice(0, eq)] = value.slice(eq + 1);
  else if (flag === '--env') env[value.slice(0, eq)] = value.slice(eq + 1);
  else if (flag === '--argv0') argv0 = value;
  else if (flag === '--report-globals') reportGlobals = value.split(',').filter(Boolean);
  else if (flag === '--dump-memory') dumpMemory = value;
  else if (flag === '--stack-trace-limit') Error.stackTraceLimit = Number(value);
  else {
    console.error(`wasi-run: unknown option ${flag}`);
    process.exit(2);
  }
}
const [wasmPath, ...rest] = argv.slice(i + 1);
if (!wasmPath) {
  console.error('wasi-run: no wasm file given');
  process.exit(2);
}
if (Object.keys(preopens).length === 0) preopens['.'] = '.';
const wasi = new WASI({ version: 'preview1', args: [argv0 ?? wasmPath, ...rest], env, preopens });
const module = await WebAssembly.compile(await readFile(wasmPath));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
/** @type {Record<string, unknown>} */
const exports = instance.exports;
const report = () => {
  if (reportGlobals.length === 0) return;
  const values = Object.fromEntries(
    reportGlobals.map((name) => {
      const global = exports[name];
      return [name, global instanceof WebAssembly.Global ? /** @type {unknown} */ (global.value) : null];
    }),
  );
  process.stderr.write(`wasi-run globals: ${JSON.stringify(values)}\n`);
};
// what a runaway program allocated is not worth a file this big
const MAX_DUMP_BYTES = 1 << 30;
const dump = () => {
  if (!dumpMemory) return;
  const memory = exports.memory;
  if (!(memory instanceof WebAssembly.Memory)) {
    process.stderr.write('wasi-run memory: the module exports no memory\n');
  } else if (memory.buffer.byteLength > MAX_DUMP_BYTES) {
    process.stderr.write(`wasi-run memory: ${memory.buffer.byteLength} bytes, over the ${MAX_DUMP_BYTES} written\n`);
  } else {
    // synchronous: the uncaught trap ends the process right after this block
    writeFileSync(dumpMemory, new Uint8Array(memory.buffer));
  }
};
try {
  process.exitCode = wasi.start(instance);
} finally {
  report();
  dump();
}
