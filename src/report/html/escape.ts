// Escaping for the HTML report. Everything from a record (names, output, messages, versions,
// frames) goes through esc(); nothing from a record is ever placed inside <script> or <style>.

import { escapeControls } from '../../records.ts';
import type { CapturedText } from '../../types.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for HTML content and (double- or single-quoted) attribute values. Control characters
 * are shown escaped as in the terminal and summary.md (`\x1b[31m`), so terminal escape sequences in
 * program output stay visible and harmless.
 */
export function esc(value: unknown): string {
  return escapeControls(shownAs(value)).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Output longer than this (characters) is cut to head + tail in the report (results.json has it all). */
const MAX_OUTPUT_CHARS = 40_000;

export function capText(s: string, max = MAX_OUTPUT_CHARS): string {
  if (s.length <= max) return s;
  const head = Math.floor(max * 0.7);
  const tail = max - head;
  return `${s.slice(0, head)}\n[... ${s.length - max} characters left out of the report; results.json has the captured text ...]\n${s.slice(-tail)}`;
}

/** The text of a captured stream, or of a plain string (imported records). */
export function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as CapturedText).text === 'string') return (v as CapturedText).text;
  return '';
}

/** What a loosely typed field shows as: its text, a number as written, nothing for null, else its JSON. */
function shownAs(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return value === undefined || value === null ? '' : (JSON.stringify(value) ?? '');
}
