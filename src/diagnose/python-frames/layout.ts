// Where CPython keeps the current thread's frames, read from a py2wasm module's DWARF (its libpython
// is built with debug info): struct member offsets and global addresses, so the memory a trapped
// instance left can be walked without one hard-coded offset.
import fs from 'node:fs/promises';
import path from 'node:path';
import { addressOf, nameOf, numberOf, parseDwarfDump, typeOffsetOf, type DwarfEntry } from '../../parse/dwarf-dump.ts';
import { formatCommand, runProcess } from '../../process/run.ts';

/** Members read, by struct: a struct tag, or a typedef of an anonymous struct (`PyASCIIObject`). */
const MEMBERS = {
  pyruntimestate: ['gilstate'],
  _gilstate_runtime_state: ['tstate_current'],
  _Py_atomic_address: ['_value'],
  _ts: ['cframe'],
  _PyCFrame: ['current_frame'],
  _PyInterpreterFrame: ['f_code', 'frame_obj', 'previous', 'prev_instr'],
  _object: ['ob_type'],
  _frame: ['f_lineno'],
  PyCodeObject: ['co_filename', 'co_qualname', 'co_firstlineno', 'co_linetable', 'co_code_adaptive'],
  PyVarObject: ['ob_size'],
  PyBytesObject: ['ob_sval'],
  PyASCIIObject: ['length', 'state'],
  PyCompactUnicodeObject: ['_base'],
} as const;
const VARIABLES = ['_PyRuntime', 'PyFrame_Type'] as const;

type StructName = keyof typeof MEMBERS;
export interface BitField {
  offset: number;
  size: number;
}

export interface CPythonLayout {
  /** `_PyRuntime` (the runtime state), `PyFrame_Type` (an interpreted frame object's type). */
  addresses: Record<(typeof VARIABLES)[number], number>;
  offsets: { [S in StructName]: Record<(typeof MEMBERS)[S][number], number> };
  /** Struct sizes: a compact string's text follows its header. */
  sizes: Record<'PyASCIIObject' | 'PyCompactUnicodeObject', number>;
  /** The bit fields of `PyASCIIObject.state` a string's text depends on. */
  stateBits: Record<'kind' | 'compact' | 'ascii', BitField>;
}

export interface LayoutRequest {
  /** The llvm-dwarfdump command. */
  dwarfdump: string[];
  /** A folder of the caller's where the dumps are written (they run to megabytes). */
  workDir: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Two llvm-dwarfdump runs: the named entries, then the anonymous structs their typedefs name. */
export async function readCPythonLayout(wasmPath: string, req: LayoutRequest): Promise<CPythonLayout> {
  const names = [...Object.keys(MEMBERS), ...VARIABLES].map((n) => `--name=${n}`);
  const named = await dwarfdump(wasmPath, ['--show-children', ...names], 'named', req);
  const structs = new Map<string, DwarfEntry>();
  const anonymous = new Map<string, number>();
  for (const e of named) {
    const name = nameOf(e);
    if (!name || structs.has(name)) continue;
    if (e.tag === 'DW_TAG_structure_type' && e.children.length > 0) structs.set(name, e);
    else if (e.tag === 'DW_TAG_typedef' && !anonymous.has(name) && typeOffsetOf(e) !== undefined)
      anonymous.set(name, typeOffsetOf(e)!);
  }
  // one entry each, small and quick: side by side
  const targets = [...anonymous].filter(([name]) => !structs.has(name) && name in MEMBERS);
  const found = await Promise.all(
    targets.map(([name, offset]) =>
      dwarfdump(wasmPath, ['--show-children', `--debug-info=0x${offset.toString(16)}`], name, req),
    ),
  );
  targets.forEach(([name], i) => {
    const target = found[i]?.[0];
    if (target?.tag === 'DW_TAG_structure_type') structs.set(name, target);
  });
  return layoutFrom(structs, named);
}

/** The layout from the struct entries found and the variables among `entries`. Throws naming what is missing. */
export function layoutFrom(structs: ReadonlyMap<string, DwarfEntry>, entries: readonly DwarfEntry[]): CPythonLayout {
  const struct = (name: string) => {
    const found = structs.get(name);
    if (!found) throw new Error(`the module's DWARF has no struct ${name}: not a CPython 3.11 build with debug info`);
    return found;
  };
  const member = (name: string, field: string) => {
    const found = struct(name).children.find((c) => c.tag === 'DW_TAG_member' && nameOf(c) === field);
    if (!found) throw new Error(`the module's DWARF has no member ${name}.${field}`);
    return found;
  };
  const offsets = Object.fromEntries(
    Object.entries(MEMBERS).map(([name, fields]) => [
      name,
      Object.fromEntries(
        fields.map((f) => [f, required(numberOf(member(name, f), 'DW_AT_data_member_location'), `${name}.${f}`)]),
      ),
    ]),
  ) as CPythonLayout['offsets'];
  const size = (name: string) => required(numberOf(struct(name), 'DW_AT_byte_size'), `the size of ${name}`);
  // the state's bit fields are members of the anonymous struct nested in PyASCIIObject
  const stateType = typeOffsetOf(member('PyASCIIObject', 'state'));
  const state = struct('PyASCIIObject').children.find((c) => c.offset === stateType);
  const bit = (field: string): BitField => {
    const m = state?.children.find((c) => nameOf(c) === field);
    const offset = m && numberOf(m, 'DW_AT_data_bit_offset');
    const bits = m && numberOf(m, 'DW_AT_bit_size');
    return {
      offset: required(offset, `PyASCIIObject.state.${field}`),
      size: required(bits, `PyASCIIObject.state.${field}`),
    };
  };
  const address = (name: string) =>
    required(
      entries
        .filter((e) => e.tag === 'DW_TAG_variable' && nameOf(e) === name)
        .map(addressOf)
        .find((a) => a !== undefined),
      `the address of ${name}`,
    );
  return {
    addresses: { _PyRuntime: address('_PyRuntime'), PyFrame_Type: address('PyFrame_Type') },
    offsets,
    sizes: { PyASCIIObject: size('PyASCIIObject'), PyCompactUnicodeObject: size('PyCompactUnicodeObject') },
    stateBits: { kind: bit('kind'), compact: bit('compact'), ascii: bit('ascii') },
  };
}

function required(value: number | undefined, what: string): number {
  if (value === undefined) throw new Error(`the module's DWARF does not give ${what}`);
  return value;
}

async function dwarfdump(wasmPath: string, args: string[], label: string, req: LayoutRequest): Promise<DwarfEntry[]> {
  const out = path.join(req.workDir, `dwarf-${label}.txt`);
  const command = [...req.dwarfdump, ...args, '-o', out, wasmPath];
  const outcome = await runProcess(command, { cwd: req.workDir, timeoutMs: req.timeoutMs, signal: req.signal });
  if (outcome.exitCode !== 0) {
    const why =
      outcome.spawnError ??
      (outcome.timedOut ? `timed out after ${outcome.durationMs} ms` : `exit ${outcome.exitCode ?? outcome.signal}`);
    throw new Error(
      `${formatCommand(command)} failed (${why}): ${outcome.stderr.text.trim().split('\n').at(-1) ?? ''}`,
    );
  }
  try {
    return parseDwarfDump(await fs.readFile(out, 'utf8'));
  } finally {
    await fs.rm(out, { force: true });
  }
}

/** llvm-dwarfdump of the same LLVM as the symbolizer (`llvm-symbolizer-19` -> `llvm-dwarfdump-19`), else the unversioned one. */
export function dwarfdumpCandidates(symbolizer: readonly string[] | undefined): string[] {
  const first = symbolizer?.[0];
  const sibling =
    first && /llvm-symbolizer/.test(first) ? [first.replace(/llvm-symbolizer(?!.*\/)/, 'llvm-dwarfdump')] : [];
  return [...new Set([...sibling, 'llvm-dwarfdump-19', 'llvm-dwarfdump'])];
}
