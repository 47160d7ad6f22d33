# Runs a child process: BYPASS (subprocess is a default bypass import; WASI cannot spawn
# processes). Neither CPython nor the wasm runs it.
import subprocess

result = subprocess.run(["echo", "hello from a child"], capture_output=True, text=True)
print(result.stdout.strip())
