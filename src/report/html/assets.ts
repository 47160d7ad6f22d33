// The report's stylesheet and script, kept as files of their own (src/report/assets/) and read
// once at run time, so they are edited as CSS and JS and inlined into the one self-contained page.

import { readFileSync } from 'node:fs';

const cache = new Map<string, string>();

function asset(name: string): string {
  let text = cache.get(name);
  if (text === undefined) cache.set(name, (text = readFileSync(new URL(`../assets/${name}`, import.meta.url), 'utf8')));
  return text;
}

export const reportCss = (): string => asset('report.css');
export const reportScript = (): string => asset('report.js');
