// node --no-warnings wasi-run.mjs [--preopen GUEST=HOST]... [--env KEY=VALUE]... [--argv0 NAME] [--report-globals A,B] -- WASM [ARGS...]
// Runs a WASI preview1 command module with Node's built-in WASI. A trap is left uncaught, so node
// prints `RuntimeError: <message>` and the wasm frames on stderr and exits with status 1.
// --report-globals: when the module ends (trap or exit), print the values of those exported globals
// as one line `wasi-run globals: {JSON}` on stderr (an instrumented module's probes).
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const argv = process.argv.slice(2);
const preopens = {};
const env = {};
let argv0;
let reportGlobals = [];
let i = 0;
for (; i < argv.length && argv[i] !== '--'; i += 2) {
  const [flag, value] = [argv[i], argv[i + 1] ?? ''];
  const eq = value.indexOf('=');
  if (flag === '--preopen') preopens[value.slice(0, eq)] = value.slice(eq + 1);
  else if (flag === '--env') env[value.slice(0, eq)] = value.slice(eq + 1);
  else if (flag === '--argv0') argv0 = value;
  else if (flag === '--report-globals') reportGlobals = value.split(',').filter(Boolean);
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
const report = () => {
  if (reportGlobals.length === 0) return;
  const values = Object.fromEntries(
    reportGlobals.map((name) => [
      name,
      instance.exports[name] instanceof WebAssembly.Global ? instance.exports[name].value : null,
    ]),
  );
  process.stderr.write(`wasi-run globals: ${JSON.stringify(values)}\n`);
};
try {
  process.exitCode = wasi.start(instance);
} finally {
  report();
}
