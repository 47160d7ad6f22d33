"""Prints the imports of each Python file named on the command line, as one JSON list (one entry
per file, in argument order): {"imports": [{"module", "names", "line", "kind"}, ...]} in source
order, or {"error": "..."} when the file cannot be read.

An import is an `import` or `from` statement anywhere (relative imports name the script's own
package and are left out), or `__import__('m')` / `importlib.import_module('m')` with a literal
name. `from x import a` gives module `x` with names `x.a` (any may be a submodule).

Files are parsed with `ast`. A file `ast` rejects (a syntax error, which CPython will report as
the case's failure) is read with `tokenize` instead, as far as it gets, so its imports still count.
"""

import ast
import io
import json
import re
import sys
import tokenize

DYNAMIC = {"__import__", "import_module"}
MODULE = re.compile(r"^[A-Za-z_][\w.]*$")


def ref(module, line, kind, names=()):
    return {"module": module, "names": list(names), "line": line, "kind": kind}


def from_ast(tree):
    found = []  # (line, column, order, ref)
    for node in ast.walk(tree):
        at = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
        if isinstance(node, ast.Import):
            for i, alias in enumerate(node.names):
                found.append((*at, i, ref(alias.name, node.lineno, "import")))
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                names = [f"{node.module}.{a.name}" for a in node.names if a.name != "*"]
                found.append((*at, 0, ref(node.module, node.lineno, "from", names)))
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            arg = node.args[0]
            if name in DYNAMIC and isinstance(arg, ast.Constant) and isinstance(arg.value, str) and MODULE.match(arg.value):
                found.append((*at, 0, ref(arg.value, node.lineno, "dynamic")))
    return [r for *_, r in sorted(found, key=lambda f: f[:3])]


def tokens_of(source):
    """CPython's tokens as far as the tokenizer gets (an unterminated string ends the file)."""
    out = []
    try:
        for tok in tokenize.tokenize(io.BytesIO(source).readline):
            out.append(tok)
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError):
        pass
    return [t for t in out if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING)]


def plain_string(tok):
    if tok is None or tok.type != tokenize.STRING or re.match(r"^[A-Za-z]*[bBfF]", tok.string):
        return None
    try:
        value = ast.literal_eval(tok.string)
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def from_tokens(source):
    toks = tokens_of(source)
    at = lambda k: toks[k] if k < len(toks) else None
    value = lambda k: at(k).string if at(k) else None
    is_name = lambda k: at(k) is not None and at(k).type == tokenize.NAME

    def dotted(k):
        if not is_name(k):
            return None, k
        name, j = toks[k].string, k + 1
        while value(j) == "." and is_name(j + 1):
            name, j = f"{name}.{toks[j + 1].string}", j + 2
        return name, j

    refs, start, depth = [], True, 0
    for k, t in enumerate(toks):
        was_start = start
        start = t.type == tokenize.NEWLINE or (t.type == tokenize.OP and (t.string == ";" or (t.string == ":" and depth == 0)))
        if t.type == tokenize.OP:
            depth += t.string in "([{"
            depth -= t.string in ")]}" and depth > 0
        line = t.start[0]
        if t.type == tokenize.NAME and t.string in DYNAMIC:
            arg = plain_string(at(k + 2)) if value(k + 1) == "(" else None
            if arg and MODULE.match(arg):
                refs.append(ref(arg, line, "dynamic"))
            continue
        if not was_start or t.type != tokenize.NAME:
            continue
        if t.string == "import":
            j = k + 1
            while True:
                name, j = dotted(j)
                if not name:
                    break
                refs.append(ref(name, line, "import"))
                if value(j) == "as" and is_name(j + 1):
                    j += 2
                if value(j) != ",":
                    break
                j += 1
        elif t.string == "from":
            j, relative = k + 1, False
            while value(j) in (".", "..", "..."):
                relative, j = True, j + 1
            name, j = dotted(j)
            if relative or not name or value(j) != "import":
                continue
            j += 1
            if value(j) == "(":
                j += 1
            names = []
            while is_name(j):
                names.append(f"{name}.{toks[j].string}")
                j += 1
                if value(j) == "as" and is_name(j + 1):
                    j += 2
                if value(j) != ",":
                    break
                j += 1
            refs.append(ref(name, line, "from", names))
    return refs


def scan(path):
    try:
        with open(path, "rb") as f:
            source = f.read()
    except OSError as error:
        return {"error": f"{path}: {error.strerror or error}"}
    try:
        tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError):
        return {"imports": from_tokens(source)}
    return {"imports": from_ast(tree)}


if __name__ == "__main__":
    json.dump([scan(p) for p in sys.argv[1:]], sys.stdout)
