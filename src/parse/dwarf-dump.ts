// The debugging entries llvm-dwarfdump prints (`--debug-info`, `--name=X --show-children`), as a
// tree: enough to read a C struct's member offsets and a global variable's address.

export interface DwarfEntry {
  /** Offset in .debug_info: what a `DW_AT_type (0x... "name")` reference points at. */
  offset: number;
  /** `DW_TAG_structure_type`, `DW_TAG_member`, `DW_TAG_typedef`, `DW_TAG_variable`, ... */
  tag: string;
  /** Attribute name -> the text inside its parentheses, e.g. `DW_AT_name` -> `"_ts"`. */
  attributes: Map<string, string>;
  children: DwarfEntry[];
}

const ENTRY_RE = /^0x([0-9a-f]+):( +)(DW_TAG_\w+|NULL)\s*$/;
const ATTRIBUTE_RE = /^\s+(DW_AT_\w+)\s+\((.*)\)\s*$/;

/** Every top-level entry of the output (children nested under their parent, by indentation). */
export function parseDwarfDump(text: string): DwarfEntry[] {
  const roots: DwarfEntry[] = [];
  // open entries by depth: one space after the colon is depth 0, each level two more
  const open: DwarfEntry[] = [];
  let current: DwarfEntry | undefined;
  for (const line of text.split('\n')) {
    const entry = ENTRY_RE.exec(line);
    if (entry) {
      const depth = (entry[2]!.length - 1) / 2;
      open.length = Math.min(open.length, depth);
      if (entry[3] === 'NULL') {
        current = undefined;
        continue;
      }
      current = { offset: parseInt(entry[1]!, 16), tag: entry[3]!, attributes: new Map(), children: [] };
      const parent = depth > 0 ? open[depth - 1] : undefined;
      (parent ? parent.children : roots).push(current);
      open[depth] = current;
      continue;
    }
    const attribute = current && ATTRIBUTE_RE.exec(line);
    if (attribute) current!.attributes.set(attribute[1]!, attribute[2]!);
  }
  return roots;
}

/** `DW_AT_name ("_ts")` -> `_ts`. */
export function nameOf(entry: DwarfEntry): string | undefined {
  return /^"(.*)"$/.exec(entry.attributes.get('DW_AT_name') ?? '')?.[1];
}

/** A numeric attribute (`(0xd0)`, `(24)`), e.g. `DW_AT_byte_size`, `DW_AT_data_member_location`. */
export function numberOf(entry: DwarfEntry, attribute: string): number | undefined {
  const text = entry.attributes.get(attribute);
  if (text === undefined || !/^(0x[0-9a-f]+|\d+)$/i.test(text)) return undefined;
  return Number(text);
}

/** The entry a `DW_AT_type (0x00001623 "PyThreadState *")` points at. */
export function typeOffsetOf(entry: DwarfEntry): number | undefined {
  const ref = /^0x([0-9a-f]+)\b/.exec(entry.attributes.get('DW_AT_type') ?? '');
  return ref ? parseInt(ref[1]!, 16) : undefined;
}

/** A global variable's address: `DW_AT_location (DW_OP_addr 0x86be80)`. */
export function addressOf(entry: DwarfEntry): number | undefined {
  const op = /^DW_OP_addr 0x([0-9a-f]+)$/.exec(entry.attributes.get('DW_AT_location') ?? '');
  return op ? parseInt(op[1]!, 16) : undefined;
}
