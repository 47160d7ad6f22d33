// CPython 3.11's location table (`co_linetable`, Objects/locations.md in CPython's source): which
// source line each bytecode instruction belongs to. An interpreted frame records only its last
// instruction; this gives its line, as `PyCode_Addr2Line` does.

/** The table's entry kinds, from the 4 bits after the entry's start bit. */
const NO_LOCATION = 15;
const LONG_FORM = 14;
const NO_COLUMNS = 13;
const ONE_LINE_FIRST = 10;

/**
 * The line of the instruction at `codeUnit` (index of a 2-byte code unit in `co_code`), counted from
 * `firstLine` (`co_firstlineno`); undefined when the table gives that instruction no line or ends
 * before it.
 */
export function lineOfInstruction(table: Uint8Array, firstLine: number, codeUnit: number): number | undefined {
  if (codeUnit < 0) return firstLine;
  let pos = 0;
  const varint = () => {
    let byte = table[pos++] ?? 0;
    let value = byte & 63;
    for (let shift = 6; byte & 64 && pos < table.length; shift += 6) {
      byte = table[pos++]!;
      value += (byte & 63) * 2 ** shift;
    }
    return value;
  };
  const signedVarint = () => {
    const v = varint();
    return v % 2 ? -Math.floor(v / 2) : v / 2;
  };
  let line = firstLine;
  let unit = 0;
  while (pos < table.length) {
    const head = table[pos++]!;
    const kind = (head >> 3) & 15;
    const length = (head & 7) + 1;
    let entryLine: number | undefined = line;
    if (kind === NO_LOCATION) entryLine = undefined;
    else if (kind === LONG_FORM) {
      entryLine = line += signedVarint();
      varint(); // end line delta
      varint(); // start column + 1
      varint(); // end column + 1
    } else if (kind === NO_COLUMNS) entryLine = line += signedVarint();
    else if (kind >= ONE_LINE_FIRST) {
      entryLine = line += kind - ONE_LINE_FIRST;
      pos += 2; // start and end column
    } else pos += 1; // short form: same line, one byte of columns
    if (codeUnit < unit + length) return entryLine;
    unit += length;
  }
  return undefined;
}
