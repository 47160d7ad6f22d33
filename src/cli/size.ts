import bytes from 'bytes';
import { ConfigError } from '../config/options.ts';

const SIZE_RE = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?$/i;

/** `2G`, `500M`, `1.5GiB`, `4096`: 1024-based units, the `B` and `i` optional (bytes spells them `gb`). */
export function parseSize(text: string): number {
  const m = SIZE_RE.exec(text.trim());
  if (!m) throw new ConfigError(`not a size: ${text} (e.g. 2G, 500M)`);
  return bytes.parse(`${m[1]}${m[2] ? `${m[2]}b` : ''}`)!;
}

export const formatBytes = (n: number): string => bytes.format(n, { unitSeparator: ' ', decimalPlaces: 1 })!;
