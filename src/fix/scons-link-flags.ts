// Link flags for every program py2wasm builds: py2wasm's Nuitka adds its wasm flags in one branch of
// `nuitka/build/SconsCompilerSettings.py` (`--target=wasm32-wasi`, the wasi-emulated libraries,
// `-lmpdec`, `-lexpat`), taken on every platform (py2wasm made it `if True:`). A fix whose flags
// every link needs adds them at the end of that branch. Pure: text in, text out.

/** The file, from a py2wasm checkout's root. */
export const SCONS_SETTINGS = 'nuitka/build/SconsCompilerSettings.py';

/** The line that opens py2wasm's WASI branch: what this edit is anchored on. */
const WASI_TARGET = /^([ \t]+)target_flag = "--target=wasm32-wasi"[ \t]*$/m;

export interface WasiBranch {
  /** Indentation of the branch's statements. */
  indent: string;
  /** Offset just after the branch's last non-blank line (its newline included). */
  end: number;
  /** The branch's text. */
  text: string;
}

export function wasiBranch(settings: string): WasiBranch {
  const start = WASI_TARGET.exec(settings);
  if (!start)
    throw new Error(
      `${SCONS_SETTINGS} has no WASI branch (no line \`target_flag = "--target=wasm32-wasi"\`): not a py2wasm this fix knows`,
    );
  const indent = start[1]!;
  let offset = start.index;
  let end = offset;
  // the branch goes on while lines are blank or indented at least as deep as its first one
  while (offset < settings.length) {
    const newline = settings.indexOf('\n', offset);
    const lineEnd = newline === -1 ? settings.length : newline + 1;
    const line = settings.slice(offset, lineEnd);
    if (line.trim() && !line.startsWith(indent)) break;
    if (line.trim()) end = lineEnd;
    offset = lineEnd;
  }
  return { indent, end, text: settings.slice(start.index, end) };
}

/** `settings` with `env.Append(LINKFLAGS=[...flags])` (after `comment`'s lines) at the end of the WASI branch. */
export function addWasiLinkFlags(settings: string, flags: string[], comment: string[]): string {
  const { indent, end } = wasiBranch(settings);
  const bad = flags.find((f) => /["\\\s]/.test(f));
  if (bad) throw new Error(`a link flag with quotes, backslashes or spaces cannot be written as is: ${bad}`);
  const eol = settings.slice(0, end).endsWith('\n') ? '' : '\n';
  const lines = [
    '',
    ...comment.map((c) => `${indent}# ${c}`),
    `${indent}env.Append(LINKFLAGS=[${flags.map((f) => `"${f}"`).join(', ')}])`,
  ];
  return `${settings.slice(0, end)}${eol}${lines.join('\n')}\n${settings.slice(end)}`;
}
