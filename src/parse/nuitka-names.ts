// Nuitka names the C function of each Python function after its module and its nesting:
// `impl___main__$$$function__2_test_bad_int`, `impl___main__$$$function__1_deco$$$function__1_wrapper`,
// `modulecode___main__` (the module's body). Frames read better in Python terms. The part after
// `impl_` is the code's name, which a `--trace-execution` build prints as a statement's `owner`.

const PART = /^(function|genobj|coroutine|asyncgen)__\d+_(.+)$/;
const KIND_SUFFIX: Record<string, string> = {
  genobj: ' (generator)',
  coroutine: ' (coroutine)',
  asyncgen: ' (async generator)',
};

/** Nuitka writes a dotted module name with `$` (`lib$shapes`). */
const moduleName = (encoded: string) => encoded.replaceAll('$', '.');

/** The functions nested in a code name's parts (`function__1_deco`, ...), with the innermost kind's suffix; undefined for other parts. */
function functionPath(parts: string[]): string | undefined {
  const names: string[] = [];
  let suffix = '';
  for (const part of parts) {
    const m = PART.exec(part);
    if (!m) return undefined;
    // a generator's body is named after its function: say it once
    if (m[1] === 'function' || names.at(-1) !== m[2]) names.push(m[2]!);
    suffix = KIND_SUFFIX[m[1]!] ?? '';
  }
  return `${names.join('.')}${suffix}`;
}

/**
 * The Python name of a Nuitka C function, or undefined for any other function:
 * `impl___main__$$$function__2_test_bad_int` -> `__main__.test_bad_int`,
 * `modulecode___main__` -> `module __main__`.
 */
export function pythonNameOf(cName: string): string | undefined {
  const body = /^modulecode_(.+)$/.exec(cName);
  if (body) return `module ${moduleName(body[1]!)}`;
  const impl = /^impl_(.+?)\$\$\$((?:function|genobj|coroutine|asyncgen)__\d+_.+)$/.exec(cName);
  const path = impl ? functionPath(impl[2]!.split('$$$')) : undefined;
  return path ? `${moduleName(impl![1]!)}.${path}` : undefined;
}

export interface PythonCodeName {
  /** `__main__`, `helper`, `lib.shapes` */
  module: string;
  /** The function, dotted as in frames (`deco.wrapper`); absent for the module's own code. */
  qualname?: string;
}

/** A code name (a trace's `owner`): `__main__$$$function__1_counted` -> { module: '__main__', qualname: 'counted' }. */
export function pythonNameOfCodeName(codeName: string): PythonCodeName {
  const [modulePart, ...parts] = codeName.split('$$$');
  const module = moduleName(modulePart!);
  if (parts.length === 0) return { module };
  return { module, qualname: functionPath(parts) ?? parts.join('.') };
}

/** A frame's function as shown to a person: the Python name with the C name after it, or the C name alone. */
export function displayFunction(cName: string): string {
  const python = pythonNameOf(cName);
  return python ? `${python} [${cName}]` : cName;
}
