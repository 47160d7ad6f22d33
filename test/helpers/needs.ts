// Tests that need a tool, or a fixture rebuilt the way it was recorded, skip without it on a
// developer's machine and fail in CI (CI=true), where a missing tool is a broken set-up.

/** Read when called, so a test can set CI itself. */
export const inCI = () => process.env.CI === 'true';

/** For `describe.skipIf(...)`: true (skip) when something is missing outside CI; in CI a missing tool fails at collection. */
export function skipWithout(missing: string[]): boolean {
  if (missing.length === 0) return false;
  if (inCI()) throw new Error(`missing in CI (CI=true): ${missing.join(', ')}`);
  return true;
}

/** Inside a test: skip for `reason` outside CI, fail with it in CI. */
export function skipOutsideCI(ctx: { skip(note?: string): void }, reason: string): void {
  if (inCI()) throw new Error(`${reason} (CI=true: this fails instead of skipping)`);
  ctx.skip(reason);
}

/** The tools of `tools` the doctor found missing, `tool: why` joined with `; `; '' when all are there. */
export function missingTools(problems: Readonly<Record<string, string>>, tools: readonly string[]): string {
  return tools
    .filter((t) => problems[t])
    .map((t) => `${t}: ${problems[t]}`)
    .join('; ');
}
