// How a diff shows exact text. An undecodable byte is shown `\xNN` (displayText), so the byte 0xff
// and a program printing the four characters `\xff` would read alike. Where a diff holds both, the
// program's own backslashes are shown doubled, as Python's repr shows them (`\\xff` is the text,
// `\xff` the byte), and a note under the diff says so.

import { displayText } from '../records.ts';

/** A lone surrogate U+DC80..U+DCFF: an undecodable byte in exact text (with `u`, a valid pair never matches). */
const RAW_BYTE_RE = /[\udc80-\udcff]/u;
/** Text a program printed that reads like an undecodable byte. */
const SPELLED_BYTE_RE = /\\x[0-9a-fA-F]{2}/;

export const LOOKALIKE_NOTE =
  '(in this diff a byte that is not UTF-8 reads \\xNN; a backslash the program printed reads \\\\, so its text \\xff reads \\\\xff)';

export interface DiffDisplay {
  show: (exact: string) => string;
  /** The line that goes under the diff when `show` doubles backslashes. */
  note?: string;
}

/** displayText, or (when the texts hold both raw bytes and `\xNN` text) displayText with the text's backslashes doubled. */
export function diffDisplay(...texts: string[]): DiffDisplay {
  const raw = texts.some((t) => RAW_BYTE_RE.test(t));
  if (!raw || !texts.some((t) => SPELLED_BYTE_RE.test(t))) return { show: displayText };
  return { show: (exact) => displayText(exact.replaceAll('\\', '\\\\')), note: LOOKALIKE_NOTE };
}
