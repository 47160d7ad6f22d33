import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { globSync } from 'tinyglobby';
import { configDefaults, type Plugin, type ViteUserConfig } from 'vitest/config';
import type { TestProject, TestSequencerConstructor } from 'vitest/node';
import { resolveRules } from '../normalize/normalize.ts';
import { discoverCookbook, listChapterFolders } from '../discover/discover.ts';
import type { CookbookOptions } from '../config/cookbook-options.ts';
import { reportDirOf, resolveOptions, type ResolvedOptions } from '../config/options.ts';
import { py2wasmPackageDir } from '../doctor/probe.ts';
import { detectToolchain } from '../toolchain/index.ts';
import '../config/provided.ts';
import { balancedFilesLine, planBalancedFiles, writeBalancedFiles } from './balanced-files.ts';
import { balancedSequencer } from './balanced-sequencer.ts';
import { RunEndRecorder } from './run-end.ts';
import { generatedChaptersDir, pruneChapterFolders, writeChapterFiles } from './chapter-files.ts';
import { chapterFilesOf, watchTriggers } from './watch.ts';

const GLOBAL_SETUP = path.join(path.dirname(fileURLToPath(import.meta.url)), 'global-setup.ts');

/** Typed options helper for vitest.config.ts. */
export function defineCookbookOptions(options: CookbookOptions): CookbookOptions {
  return options;
}

/**
 * What of a py2wasm install changes what it compiles (not its stdlib): its folders and its
 * top-level modules (`nuitka/MainControl.py`, `Options.py`, ...). The package folder itself is not
 * watched as a whole: it holds the 233 MB `wasi-python/` and the `__py2wasm/` every compile writes.
 */
function py2wasmWatchPaths(nuitkaDir: string): { dirs: string[]; files: string[] } {
  try {
    const entries = fs.readdirSync(nuitkaDir, { withFileTypes: true });
    return {
      dirs: entries
        .filter((e) => e.isDirectory() && !['wasi-python', '__py2wasm', '__pycache__'].includes(e.name))
        .map((e) => path.join(nuitkaDir, e.name)),
      files: entries.filter((e) => e.isFile() && e.name.endsWith('.py')).map((e) => path.join(nuitkaDir, e.name)),
    };
  } catch {
    return { dirs: [], files: [] };
  }
}

/** Test files whose chapters are all missing from the cookbook (or not selected). */
function chapterFilesToSkip(testFiles: string[], resolved: ResolvedOptions): string[] {
  let present: Set<string>;
  try {
    // with a case filter, a chapter none of whose cases (or broken entries) is selected is absent too
    const filters = { cases: resolved.cases, exclude: resolved.exclude };
    present = new Set(
      discoverCookbook(resolved.root, filters)
        .filter((c) => c.recipes.length > 0 || c.broken.length > 0 || (!resolved.cases && !resolved.exclude.length))
        .map((c) => c.chapter)
        .filter((c) => !resolved.chapters || resolved.chapters.includes(c)),
    );
  } catch {
    return []; // a broken cookbook: let the chapter files say what is wrong
  }
  const byFile = new Map<string, string[]>();
  for (const [chapter, files] of chapterFilesOf(testFiles))
    for (const f of files) byFile.set(f, [...(byFile.get(f) ?? []), chapter]);
  return [...byFile].filter(([, chapters]) => chapters.every((c) => !present.has(c))).map(([file]) => file);
}

/**
 * Every chapter folder of the tree runs: a chapter without a test file of its own gets a generated
 * one, added to the project's include (unselected chapters to its exclude). A missing root or two
 * folders of one chapter number stop the run here, before any case and any report.
 */
function addGeneratedChapterFiles(project: TestProject, resolved: ResolvedOptions, testFiles: string[]): string[] {
  const claimed = chapterFilesOf(testFiles);
  const folders = listChapterFolders(resolved.root).filter((c) => !claimed.has(c.chapter));
  const vitestRoot = project.config.dir || project.config.root;
  pruneChapterFolders(vitestRoot);
  const dir = generatedChaptersDir(vitestRoot, resolved.root);
  const files = writeChapterFiles(dir, resolved.root, folders);
  project.config.include.push(`${path.relative(vitestRoot, dir).split(path.sep).join('/')}/*.test.ts`);
  if (resolved.chapters) {
    project.config.exclude.push(...files.filter((_, i) => !resolved.chapters!.includes(folders[i]!.chapter)));
  }
  return files;
}

/**
 * The transformed-module cache on, unless the user set it: vitest 4 has it under `experimental`,
 * vitest 5 at the top (its `experimental` one prints a deprecation on every run).
 */
async function moduleCacheOption(test: ViteUserConfig['test']): Promise<Record<string, unknown>> {
  const { version } = await import('vitest/node');
  const user: { fsModuleCache?: boolean; experimental?: { fsModuleCache?: boolean } } | undefined = test;
  if (Number(version.split('.')[0]) >= 5)
    return { fsModuleCache: user?.fsModuleCache ?? user?.experimental?.fsModuleCache ?? true };
  return { experimental: { fsModuleCache: true, ...test?.experimental } };
}

/** vitest/node is loaded only where the config is (the workers import this module too). */
async function sequencerFor(user: TestSequencerConstructor | undefined): Promise<TestSequencerConstructor> {
  const { BaseSequencer } = await import('vitest/node');
  return balancedSequencer(user ?? BaseSequencer);
}

/**
 * `shardFiles`: the selected cases spread over that many generated test files by expected cost
 * (planned for vitest's `--shard` count); the chapter files (the user's and generated) step aside.
 */
async function addBalancedFiles(
  project: TestProject,
  resolved: ResolvedOptions,
  testFiles: string[],
): Promise<string[]> {
  const vitest = project.vitest;
  const shard = vitest.config.shard;
  const plan = await planBalancedFiles(resolved, shard?.count ?? 1);
  const vitestRoot = project.config.dir || project.config.root;
  pruneChapterFolders(vitestRoot);
  const dir = generatedChaptersDir(vitestRoot, resolved.root);
  const files = writeBalancedFiles(dir, resolved.root, plan);
  project.config.include.push(`${path.relative(vitestRoot, dir).split(path.sep).join('/')}/*.test.ts`);
  project.config.exclude.push(...[...chapterFilesOf(testFiles).values()].flat());
  vitest.logger.log(balancedFilesLine(plan, shard, vitestRoot));
  return files;
}

/**
 * The vitest plugin: resolves options (config + env), hands them to the test workers, runs the
 * doctor (and toolchain setup when needed) once before the cases, and in watch mode re-runs cases
 * when the cookbook or the py2wasm tree changes.
 */
export function py2wasmCookbook(options: CookbookOptions = {}): Plugin & { resolved: ResolvedOptions } {
  const resolved = resolveOptions(options);
  resolveRules({ ...resolved.normalize, only: resolved.normalize.only ?? undefined }); // a wrong rule name fails here, once, not in every chapter
  const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
  let testFiles: string[] = [];
  return {
    name: 'vitest-py2wasm',
    resolved,
    async config(userConfig) {
      // vitest 5 hands the CLI's --root to the plugin as test.root, vitest 4 as the top-level root
      const root = path.resolve(userConfig.test?.root ?? userConfig.root ?? process.cwd());
      // the report folder is relative to vitest's root, as the config's other paths are in vite
      resolved.reportDir = reportDirOf(options, root);
      const include = userConfig.test?.include ?? ['cookbook-tests/**/*.test.ts'];
      testFiles = globSync(include, { cwd: root, absolute: true, ignore: ['**/node_modules/**'] });
      const baselineDir = resolved.baselineDir;
      const absent = chapterFilesToSkip(testFiles, resolved);
      return {
        test: {
          // a chapter file for a chapter this cookbook lacks (or whose cases are all filtered out) would only cost a worker start
          ...(absent.length ? { exclude: [...(userConfig.test?.exclude ?? configDefaults.exclude), ...absent] } : {}),
          provide: { py2wasmOptions: resolved, py2wasmWatching: false, py2wasmRunId: runId },
          // every worker imports the plugin's module graph: transformed once, kept between runs
          // (measured: a one-case run's vitest duration 5.9 s -> 3.4 s). The user's setting wins.
          ...(await moduleCacheOption(userConfig.test)),
          // a worker runs its chapter files in one module graph: the plugin's modules are imported
          // once per worker, not once per chapter (measured on a 10-case warm run, 5 chapters: 12.1 s -> 10.2 s).
          // Nothing a case does lives in the worker's modules: its processes run in scratch copies.
          isolate: userConfig.test?.isolate ?? false,
          globalSetup: [GLOBAL_SETUP],
          // each shard runs the balanced files planned for it, whatever their paths hash to
          ...(resolved.shardFiles > 0
            ? { sequence: { sequencer: await sequencerFor(userConfig.test?.sequence?.sequencer) } }
            : {}),
          ...(baselineDir
            ? {
                resolveSnapshotPath: (testPath: string, ext: string) =>
                  path.join(baselineDir, `${path.basename(testPath)}${ext}`),
              }
            : {}),
        },
      };
    },
    // vitest awaits this hook (all plugins' at once), though its type says it returns nothing
    // eslint-disable-next-line @typescript-eslint/no-misused-promises
    async configureVitest({ vitest, project }) {
      // reporters are created after this hook: the recorder joins whatever the user configured
      vitest.config.reporters.push(new RunEndRecorder(resolved));
      // a merge of shard reports runs no case: it needs no cookbook
      if (!vitest.config.mergeReports) {
        const balanced = resolved.shardFiles > 0 && !vitest.config.watch;
        testFiles.push(
          ...(balanced
            ? await addBalancedFiles(project, resolved, testFiles)
            : addGeneratedChapterFiles(project, resolved, testFiles)),
        );
      }
      if (!vitest.config.watch) return;
      project.provide('py2wasmWatching', true);
      // the user's own py2wasm (PY2WASM), else the one setup installed
      const nuitkaDir = resolved.tools.py2wasm
        ? await py2wasmPackageDir(resolved.tools.py2wasm).catch(() => undefined)
        : (await detectToolchain(resolved.cacheDir).catch(() => undefined))?.nuitkaPackageDir;
      const install = nuitkaDir ? py2wasmWatchPaths(nuitkaDir) : { dirs: [], files: [] };
      const toolDirs = [...install.dirs, ...resolved.watchDirs];
      const wamr = resolved.wamr
        ? {
            checkout: resolved.wamr.checkout,
            targets: resolved.targets
              .filter((t) => t.runtime === 'iwasm' || t.runtime.startsWith('iwasm:'))
              .map((t) => t.name),
          }
        : undefined;
      const triggers = watchTriggers({
        root: resolved.root,
        cacheDir: resolved.cacheDir,
        chapterFiles: chapterFilesOf(testFiles),
        toolDirs,
        toolFiles: install.files,
        ...(wamr ? { wamr } : {}),
      });
      vitest.config.watchTriggerPatterns = [
        ...(vitest.config.watchTriggerPatterns ?? []),
        ...triggers,
      ] as typeof vitest.config.watchTriggerPatterns;
      // the global setup rebuilds the variants before each re-run (onTestsRerun)
      const wamrDirs = wamr
        ? ['core/iwasm', 'core/shared', 'product-mini', 'build-scripts'].map((d) => path.join(wamr.checkout, d))
        : [];
      vitest.vite.watcher.add([resolved.root, ...toolDirs, ...install.files, ...wamrDirs]);
    },
  } as Plugin & { resolved: ResolvedOptions };
}
