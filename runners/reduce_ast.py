"""Python side of `vitest-py2wasm reduce`: lists the removable parts of a script and renders
candidates without some of them. One JSON request per stdin line, one JSON answer per stdout line,
so one process serves a whole reduction. Every candidate is produced by `ast.unparse`, so it is
valid Python; `# nuitka-project:` comment lines (Nuitka options) are kept, appended at the end.

Requests:
  {"op": "units", "source": str}             -> {"units": [{"id", "kind", "depth", "line", "text"}]}
  {"op": "render", "source": str, "remove": [id], "unwrap": [id]} -> {"source": str}
A unit id is the path of a node from the module, e.g. "body.3.body.0" or "body.2.decorator_list.0".
"""
import ast
import json
import re
import sys

BODY_FIELDS = ("body", "orelse", "finalbody", "handlers")
UNWRAPPABLE = (ast.If, ast.For, ast.While, ast.With, ast.Try, ast.AsyncFor, ast.AsyncWith)
OPTION_LINE = re.compile(r"^#\s*nuitka-project\s*:", re.M)


def option_lines(source):
    return [line for line in source.splitlines() if OPTION_LINE.match(line)]


def units_of(tree):
    out = []

    def visit(node, path, depth):
        for field in BODY_FIELDS:
            children = getattr(node, field, None)
            if not isinstance(children, list):
                continue
            for i, child in enumerate(children):
                child_path = f"{path}{field}.{i}"
                if isinstance(child, ast.stmt):
                    out.append(unit(child, child_path, "stmt", depth))
                    visit(child, child_path + ".", depth + 1)
                elif isinstance(child, ast.excepthandler):
                    out.append(unit(child, child_path, "handler", depth))
                    visit(child, child_path + ".", depth + 1)
        for i, deco in enumerate(getattr(node, "decorator_list", []) or []):
            out.append(unit(deco, f"{path}decorator_list.{i}", "decorator", depth))
        for i, base in enumerate(getattr(node, "bases", []) or []):
            out.append(unit(base, f"{path}bases.{i}", "base", depth))

    visit(tree, "", 0)
    return out


def unit(node, path, kind, depth):
    text = ast.unparse(node).split("\n", 1)[0]
    return {"id": path, "kind": kind, "depth": depth, "line": getattr(node, "lineno", 0), "text": text[:120],
            "unwrappable": isinstance(node, UNWRAPPABLE)}


def resolve(tree, path):
    """(parent list, index) of the node at `path`."""
    parts = path.split(".")
    node = tree
    for j in range(0, len(parts) - 2, 2):
        node = getattr(node, parts[j])[int(parts[j + 1])]
    return getattr(node, parts[-2]), int(parts[-1])


def inner_body(node):
    if isinstance(node, ast.Try):
        return node.body + node.finalbody
    return node.body


def fill_empty(tree):
    """Give every block that lost all its statements a `pass`; a `try` without handlers or finally becomes its body."""
    for node in ast.walk(tree):
        for field in BODY_FIELDS:
            children = getattr(node, field, None)
            if not isinstance(children, list):
                continue
            fixed = []
            for child in children:
                if isinstance(child, ast.Try) and not child.handlers and not child.finalbody:
                    fixed.extend(child.body + child.orelse)
                else:
                    fixed.append(child)
            children[:] = fixed
        if isinstance(node, (ast.Module,)):
            continue
        for field in ("body",):
            children = getattr(node, field, None)
            if isinstance(children, list) and not children:
                children.append(ast.Pass())
        if isinstance(node, ast.Try) and not node.handlers and not node.finalbody and not node.body:
            node.body.append(ast.Pass())


def render(source, remove, unwrap):
    tree = ast.parse(source)
    edits = [(p, "remove") for p in remove] + [(p, "unwrap") for p in unwrap]
    # deepest and last first, so earlier paths stay valid
    edits.sort(key=lambda e: [int(x) if x.isdigit() else x for x in e[0].split(".")], reverse=True)
    for path, what in edits:
        parent, index = resolve(tree, path)
        if what == "remove":
            del parent[index]
        else:
            node = parent[index]
            parent[index:index + 1] = inner_body(node) if isinstance(node, UNWRAPPABLE) else [node]
    fill_empty(tree)
    ast.fix_missing_locations(tree)
    text = ast.unparse(tree).rstrip("\n") + "\n"
    options = option_lines(source)
    return text + ("\n" + "\n".join(options) + "\n" if options else "")


def answer(request):
    op = request.get("op")
    if op == "units":
        return {"units": units_of(ast.parse(request["source"]))}
    if op == "render":
        return {"source": render(request["source"], request.get("remove", []), request.get("unwrap", []))}
    raise ValueError(f"unknown op {op!r}")


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = answer(json.loads(line))
        except Exception as error:  # the caller gets the reason, the process keeps serving
            reply = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
