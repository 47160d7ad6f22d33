// Renders the top of the HTML report of the last run (`py2wasm-report/index.html`, after
// `npm run cookbook` on the sample) in headless Chromium and saves it as docs/report.png, the
// README's picture of the report (`npm run screenshot`). The system Chromium (Debian's
// /usr/bin/chromium, or CHROMIUM_PATH), driven by playwright-core: no browser is downloaded.
// The page is the report as written, except that paths of the machine it ran on are shown the way
// a reader would write them: the project's folder as a relative path, the home folder as `~`.
//
//   npm run screenshot -- [--report <dir>] [--out <file.png>] [--width 1200] [--height 800]

import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import escapeRegExp from 'escape-string-regexp';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Chromium's flags for a quiet headless run as root in a container: no sandbox, no GPU, no network chatter. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ScreenshotOptions {
  /** The report's index.html. */
  html: string;
  /** The PNG to write. */
  out: string;
  width: number;
  height: number;
  chromium?: string;
}

/** Writes a PNG of the page's top `width` x `height` pixels; returns its size in bytes. */
export async function screenshotReport(opts: ScreenshotOptions): Promise<number> {
  const browser = await chromium.launch({
    executablePath: opts.chromium ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage({ viewport: { width: opts.width, height: opts.height }, deviceScaleFactor: 1 });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(opts.html).href, { waitUntil: 'load' });
    if (errors.length > 0) throw new Error(`the report's script failed: ${errors.join('; ')}`);
    const pairs: Array<[string, string]> = [
      // a project folder (this one or another checkout's) before the sample, and the home folder
      [`${escapeRegExp(ROOT)}/|/\\S*/(?=cookbook-tests/)`, ''],
      [escapeRegExp(os.homedir()), '~'],
    ];
    await page.evaluate(machinePathsOut, pairs);
    await page.screenshot({ path: opts.out, clip: { x: 0, y: 0, width: opts.width, height: opts.height } });
  } finally {
    await browser.close();
  }
  return statSync(opts.out).size;
}

/** In the browser: in each text node, what each pattern (a RegExp source) matches replaced. */
function machinePathsOut(pairs: Array<[string, string]>): void {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    let text = node.nodeValue ?? '';
    for (const [pattern, to] of pairs) text = text.replace(new RegExp(pattern, 'g'), to);
    node.nodeValue = text;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      report: { type: 'string', default: path.join(ROOT, 'py2wasm-report') },
      out: { type: 'string', default: path.join(ROOT, 'docs', 'report.png') },
      width: { type: 'string', default: '1200' },
      height: { type: 'string', default: '800' },
    },
  });
  const html = path.resolve(values.report, 'index.html');
  if (!existsSync(html)) {
    process.stderr.write(`screenshot: ${html} does not exist: run the sample first (npm run cookbook)\n`);
    process.exit(1);
  }
  const out = path.resolve(values.out);
  const bytes = await screenshotReport({ html, out, width: Number(values.width), height: Number(values.height) });
  process.stdout.write(`screenshot: ${path.relative(process.cwd(), out)} (${Math.round(bytes / 1024)} KB)\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
