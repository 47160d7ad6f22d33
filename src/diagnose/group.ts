import type { CaseRecord, CaseStack } from '../types.ts';
import { frameKey, topFrames } from './stack-groups.ts';
import type { DiagnoseGroup } from './types.ts';

/**
 * The group a failing record's diagnosis is shared in: same target, same failure label (trap
 * kind, final exception line, ...) and, for a trap, the same symbolized top frames.
 */
export function diagnoseGroupOf(
  record: CaseRecord,
  stack: CaseStack | undefined,
  label: string,
  topN: number,
): DiagnoseGroup {
  const frames = stack ? topFrames(stack.frames, topN) : [];
  return { key: [record.target.name, label, ...frames.map(frameKey)].join('\n'), label, frames };
}
