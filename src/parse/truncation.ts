// The marker line a bounded capture puts where it left bytes out: written by process/capture.ts,
// read across by the runtime-output parsers.

export function truncationMarker(omittedBytes: number, totalBytes: number): string {
  return `[... ${omittedBytes} bytes omitted of ${totalBytes} ...]`;
}

export const TRUNCATION_MARKER_RE = /^\[\.\.\. \d+ bytes omitted of \d+ \.\.\.\]$/;
