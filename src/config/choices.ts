// The closed sets of words some options take, each defined once; the types derive from them.

/** How the debug iwasm runs a wasm: it decides what a frame's offset counts (parse/iwasm-output.ts). */
export const IWASM_MODES = ['interp', 'fast-interp', 'aot'] as const;
export type IwasmMode = (typeof IWASM_MODES)[number];

/** Which failing cases the diagnose stage digs into: one per failure group, each one, or none. */
export const DIAGNOSE_MODES = ['group', 'case', 'off'] as const;
export type DiagnoseMode = (typeof DIAGNOSE_MODES)[number];

/** How long a scratch copy lives: a recipe's cases share one, or each case gets a fresh one. */
export const SCRATCH_SCOPES = ['recipe', 'case'] as const;
export type ScratchScope = (typeof SCRATCH_SCOPES)[number];
