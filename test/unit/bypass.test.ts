import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BypassConfigError,
  DEFAULT_BYPASS_IMPORTS,
  validateBypassOptions,
  type BypassRules,
} from '../../src/config/bypass-rules.ts';
import { resolveOptions } from '../../src/config/options.ts';
import { bypassReason as bypassReasonOf } from '../../src/run/bypass.ts';
import { ImportScanError, scanImports as scanFiles, type ImportRef } from '../../src/tools/import-scan.ts';
import { CASE_ERROR_NAMES, CaseErrorCode } from '../../src/types.ts';
import { expectedRows, expectedTotalsLine } from '../helpers/sample-expected.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SAMPLE = path.join(ROOT, 'cookbook-tests', 'sample');

// Real CPython reads the imports (runners/scan_imports.py), as in a run: sources are written to files first.
const PYTHON = [process.env.PYTHON || 'python3'];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bypass-scan-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let written = 0;
async function scanImports(source: string): Promise<ImportRef[]> {
  const file = path.join(tmp, `s${written++}.py`);
  fs.writeFileSync(file, source);
  return (await scanFiles(PYTHON, [file], { timeoutMs: 30_000 })).get(file)!;
}
const bypassReason = async (caseName: string, source: string, rules: BypassRules = {}) =>
  bypassReasonOf(caseName, await scanImports(source), rules);

describe('scanImports', () => {
  it('finds every import statement form', async () => {
    const src = [
      'import os',
      'import os.path as p, multiprocessing.pool',
      'from collections import (',
      '    OrderedDict,  # a comment',
      '    defaultdict as dd,',
      ')',
      'from http import server',
      'x = 1; import json',
      'if True: import csv',
      'try:',
      '    import tkinter',
      'except ImportError:',
      '    pass',
      'def f():',
      '    from xml.etree import ElementTree',
      'import a, \\',
      '    b',
      'mod = __import__("shelve")',
      'import importlib',
      "importlib.import_module('sqlite3')",
    ].join('\n');
    const refs = await scanImports(src);
    expect(refs.map((r) => r.module)).toEqual([
      'os',
      'os.path',
      'multiprocessing.pool',
      'collections',
      'http',
      'json',
      'csv',
      'tkinter',
      'xml.etree',
      'a',
      'b',
      'shelve',
      'importlib',
      'sqlite3',
    ]);
    expect(refs.find((r) => r.module === 'collections')!.names).toEqual([
      'collections.OrderedDict',
      'collections.defaultdict',
    ]);
    expect(refs.find((r) => r.module === 'http')).toMatchObject({ names: ['http.server'], kind: 'from', line: 7 });
    expect(refs.find((r) => r.module === 'sqlite3')).toMatchObject({ kind: 'dynamic', line: 20 });
    expect(refs.find((r) => r.module === 'b')!.line).toBe(16);
  });

  it('ignores comments, strings, docstrings, f-strings, relative imports and non-statements', async () => {
    const src = [
      '# import subprocess',
      '"""',
      'import subprocess',
      '"""',
      "s = 'import subprocess'",
      'doc = r"""from subprocess import run"""',
      "b = rb'import subprocess'",
      'f = f"{x} import subprocess"',
      "t = 'it\\'s; import subprocess'",
      'from . import subprocess',
      'from .subprocess import run',
      'from .. import multiprocessing',
      'x = a if b else c  # from import',
      'yield_from = 1',
      'raise ValueError("x") from None',
      'print("done")',
    ].join('\n');
    expect(await scanImports(src)).toEqual([]);
  });

  it('keeps line numbers through multi-line strings and survives unterminated ones', async () => {
    const refs = await scanImports(
      's = """a\nb\nc"""\nimport zlib\nt = "unterminated\nimport gzip\nu = """never closed\nimport bz2\n',
    );
    expect(refs.map((r) => [r.module, r.line])).toEqual([
      ['zlib', 4],
      ['gzip', 6],
    ]);
  });
});

describe('the import scan process', () => {
  it('scans many files in one CPython and says clearly what it could not read', async () => {
    const files = ['import a\n', 'from b import c\n'].map((src, i) => {
      const file = path.join(tmp, `many${i}.py`);
      fs.writeFileSync(file, src);
      return file;
    });
    const found = await scanFiles(PYTHON, files, { timeoutMs: 30_000 });
    expect(files.map((f) => found.get(f)!.map((r) => r.module))).toEqual([['a'], ['b']]);
    const missing = path.join(tmp, 'no-such-script.py');
    const error = await scanFiles(PYTHON, [files[0]!, missing], { timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportScanError);
    expect((error as ImportScanError).message).toContain(`cannot scan ${missing}`);
    expect((error as ImportScanError).started).toBe(true);
    const noPython = await scanFiles(['no-such-python3'], files, { timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(noPython).toMatchObject({
      name: 'ImportScanError',
      started: false,
      command: ['no-such-python3', expect.stringMatching(/scan_imports\.py$/), ...files],
    });
  });
});

describe('bypassReason', () => {
  it('bypasses the default imports with a readable reason', async () => {
    expect(await bypassReason('r.e', 'import subprocess\n')).toBe('imports subprocess (default bypass rule)');
    expect(await bypassReason('r.e', 'from subprocess import run\n')).toBe('imports subprocess (default bypass rule)');
    expect(await bypassReason('r.e', 'import os, multiprocessing.pool as mp\n')).toBe(
      'imports multiprocessing.pool (default bypass rule: multiprocessing)',
    );
    expect(await bypassReason('r.e', 'from http import server\n')).toBe('imports http.server (default bypass rule)');
    expect(await bypassReason('r.e', 'from http.server import HTTPServer\n')).toBe(
      'imports http.server (default bypass rule)',
    );
    expect(await bypassReason('r.e', 'from tkinter import ttk\n')).toBe('imports tkinter (default bypass rule)');
    expect(await bypassReason('r.e', 'sp = __import__("subprocess")\n')).toBe(
      'imports subprocess dynamically (default bypass rule)',
    );
    for (const m of Object.keys(DEFAULT_BYPASS_IMPORTS)) {
      expect(await bypassReason('r.e', `import ${m}\n`), m).toBe(`imports ${m} (default bypass rule)`);
    }
  });

  it('does not bypass socket, http.client, threads or mentions in comments/strings by default', async () => {
    for (const src of [
      'import socket\nsocket.getaddrinfo("localhost", 80)\n',
      'from http import client\n',
      'import http.client\n',
      'import threading, asyncio, ctypes\n',
      '# import subprocess\nprint("import subprocess")\n',
      'import subprocessing\n',
    ]) {
      expect(await bypassReason('r.e', src), src).toBeUndefined();
    }
  });

  it('applies user imports and case globs; useDefaults: false drops the defaults', async () => {
    expect(await bypassReason('net.e', 'import socket\n', { imports: ['socket'] })).toBe(
      'imports socket (bypass rule)',
    );
    expect(await bypassReason('net.e', 'from socket import create_connection\n', { imports: ['socket'] })).toBe(
      'imports socket (bypass rule)',
    );
    expect(await bypassReason('r.e', 'import subprocess\n', { useDefaults: false })).toBeUndefined();
    expect(await bypassReason('r.e', 'import subprocess\n', { useDefaults: false, imports: ['subprocess'] })).toBe(
      'imports subprocess (bypass rule)',
    );
    expect(await bypassReason('r.e', 'import xml.dom.minidom\n', { imports: ['xml.dom'] })).toBe(
      'imports xml.dom.minidom (bypass rule: xml.dom)',
    );

    const rules = { cases: ['network_*.*', 'slow.example2'] };
    expect(await bypassReason('network_server.example1', 'print(1)\n', rules)).toBe(
      "case matches 'network_*.*' (bypass rule)",
    );
    expect(await bypassReason('slow.example2', 'print(1)\n', rules)).toBe("case matches 'slow.example2' (bypass rule)");
    expect(await bypassReason('slow.example1', 'print(1)\n', rules)).toBeUndefined();
    expect(await bypassReason('networkx.example1', 'print(1)\n', rules)).toBeUndefined();
  });

  it('rejects malformed rules', () => {
    // once, when the options are resolved, not on every case
    expect(() => validateBypassOptions({ imports: ['not a module'] })).toThrow(BypassConfigError);
    expect(() => validateBypassOptions({ cases: [''] })).toThrow(BypassConfigError);
    expect(() => validateBypassOptions({ useDefaults: 'yes' as unknown as boolean })).toThrow(BypassConfigError);
    expect(() => resolveOptions({ bypass: { imports: ['not a module'] } }, {})).toThrow(BypassConfigError);
  });
});

describe('the sample cookbook', () => {
  const rows = expectedRows();
  const cases = fs
    .readdirSync(SAMPLE, { recursive: true, encoding: 'utf8' })
    .map((f) => f.split(path.sep))
    .filter((parts) => parts.length === 3 && /^\d+$/.test(parts[0]!) && parts[2]!.endsWith('.py'))
    .map((parts) => ({ file: parts.join('/'), name: `${parts[1]}.${parts[2]!.slice(0, -3)}` }));

  it('EXPECTED.md lists every case exactly once, with a consistent code, and reaches every code', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    expect(new Set(cases.map((c) => c.file.split('/')[0])).size).toBeGreaterThanOrEqual(4);
    expect(rows.map((r) => r.file).sort()).toEqual(cases.map((c) => c.file).sort());
    for (const r of rows) {
      expect(CaseErrorCode[r.codeName as keyof typeof CaseErrorCode], r.name).toBe(r.code);
      expect(cases.find((c) => c.file === r.file)!.name).toBe(r.name);
    }
    expect(new Set(rows.map((r) => r.codeName))).toEqual(new Set(CASE_ERROR_NAMES));
  });

  it("EXPECTED.md's totals line is the table's tally", () => {
    const totals = expectedTotalsLine();
    const tally: Record<string, number> = {};
    for (const r of rows) tally[r.codeName] = (tally[r.codeName] ?? 0) + 1;
    expect(totals).toEqual({
      cases: rows.length,
      chapters: new Set(rows.map((r) => r.file.split('/')[0])).size,
      perCode: tally,
    });
  });

  it('the default bypass rules bypass exactly the BYPASS rows', async () => {
    // one CPython process for every script of the cookbook
    const imports = await scanFiles(
      PYTHON,
      rows.map((r) => path.join(SAMPLE, r.file)),
      { timeoutMs: 30_000 },
    );
    for (const r of rows) {
      const reason = bypassReasonOf(r.name, imports.get(path.join(SAMPLE, r.file))!);
      if (r.codeName === 'BYPASS') expect(reason, r.name).toBe('imports subprocess (default bypass rule)');
      else expect(reason, r.name).toBeUndefined();
    }
  });
});
