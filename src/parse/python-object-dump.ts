// CPython's last resort when it cannot print an exception because sys.stderr is gone: it dumps the
// exception object (`_PyObject_Dump`) and says `lost sys.stderr`:
//   object address  : 0x3cde5c8
//   object refcount : 2
//   object type     : 0x2b1c90
//   object type name: NameError
//   object repr     : NameError("name '' is not defined")
//   lost sys.stderr

export interface ObjectDump {
  /** The `object repr` line's value: what the exception was. */
  repr?: string;
  typeName?: string;
  /** `lost sys.stderr` followed: the program's own error output was gone. */
  lostStderr: boolean;
}

/** The dump's first line: where a traceback cut short by it would have had its exception line. */
export const OBJECT_DUMP_START = /^object address\s*:/;

/** The last object dump in a stream, or undefined when there is none. */
export function findObjectDump(text: string): ObjectDump | undefined {
  const lines = text.split(/\r\n|\r|\n/);
  const start = lines.map((l) => OBJECT_DUMP_START.test(l)).lastIndexOf(true);
  if (start < 0) return undefined;
  const dump: ObjectDump = { lostStderr: false };
  for (const line of lines.slice(start + 1)) {
    const m = /^object (repr|type name)\s*:\s*(.*)$/.exec(line);
    if (m) {
      if (m[1] === 'repr') dump.repr = m[2]!.trim();
      else dump.typeName = m[2]!.trim();
    } else if (/^lost sys\.stderr\s*$/.test(line)) {
      dump.lostStderr = true;
      break;
    }
  }
  return dump;
}
