// How the HTML report shows an outcome code: its colour, a badge, the legend that filters by code.

import { codeNameOf, type CodeCounts } from '../../records.ts';
import { CASE_ERROR_NAMES, CaseErrorCode, HARNESS_ERROR, type CaseErrorName } from '../../types.ts';
import { esc } from './escape.ts';

/** Colour of each outcome, by code (code order). */
export const CODE_COLORS: Record<CaseErrorName, string> = {
  OK: '#2e7d32',
  COMPILATION_FAILURE: '#7b1fa2',
  WASM_EXECUTION_FAILURE: '#c62828',
  PY_EXECUTION_FAILURE: '#ef6c00',
  DIFFERENT_RESULT: '#f9a825',
  BYPASS: '#9e9e9e',
  WASM_EXECUTION_TIMEOUT: '#1565c0',
  PY_EXECUTION_TIMEOUT: '#00838f',
};

export function badge(code: unknown): string {
  const name = codeNameOf(code);
  // null: a harness error, none of the eight codes
  return `<span class="badge" style="background:${name ? CODE_COLORS[name] : '#555'}">${esc(name ?? (code === null ? HARNESS_ERROR : `code ${JSON.stringify(code)}`))}</span>`;
}

/** One toggle button per code: the page script hides and shows the records of a code. */
export function legend(counts: CodeCounts): string {
  return `<div class="legend" role="group" aria-label="outcome codes (click to hide or show)">${CASE_ERROR_NAMES.map(
    (n) =>
      `<button type="button" data-code="${CaseErrorCode[n]}" aria-pressed="true" title="${esc(`${CaseErrorCode[n]} ${n}`)}"><span class="swatch" style="background:${CODE_COLORS[n]}"></span>${CaseErrorCode[n]} ${esc(n)} <span class="muted">${counts[n]}</span></button>`,
  ).join('')}</div>`;
}
