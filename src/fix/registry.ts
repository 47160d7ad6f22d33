import { platformLimit } from './kinds/platform-limit.ts';
import { signatureMismatch } from './kinds/signature-mismatch.ts';
import { stackOverflow } from './kinds/stack-overflow.ts';
import type { FixKind } from './types.ts';

/**
 * Every fix kind, in the order they are asked: the first whose `appliesTo` holds for a group
 * proposes for it. Adding one: a file in kinds/ exporting a `FixKind` (see types.ts), listed here.
 */
export const FIX_KINDS: FixKind[] = [signatureMismatch, stackOverflow, platformLimit];

/** The kind that speaks for a group, if any. */
export function fixKindFor(group: Parameters<FixKind['appliesTo']>[0]): FixKind | undefined {
  return FIX_KINDS.find((k) => k.appliesTo(group));
}
