// node --no-warnings wasi-run.mjs [--preopen GUEST=HOST]... [--env KEY=VALUE]... [--argv0 NAME] -- WASM [ARGS...]
// Runs a WASI preview1 command module with Node's built-in WASI. A trap is left uncaught, so node
// prints `RuntimeError: <message>` and the wasm frames on stderr and exits with status 1.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const argv = process.argv.slice(2);
const preopens = {};
const env = {};
let argv0;
let i = 0;
for (; i < argv.length && argv[i] !== '--'; i += 2) {
  const [flag, value] = [argv[i], argv[i + 1] ?? ''];
  const eq = value.indexOf('=');
  if (flag === '--preopen') preopens[value.slice(0, eq)] = value.slice(eq + 1);
  else if (flag === '--env') env[value.slice(0, eq)] = value.slice(eq + 1);
  else if (flag === '--argv0') argv0 = value;
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
process.exitCode = wasi.start(instance);
