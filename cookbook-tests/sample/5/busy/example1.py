# Spins forever, under CPython as well: the runner's CPython timeout ends it first
# (PY_EXECUTION_TIMEOUT; the wasm is not judged). Only the flushed line survives the kill.
print("spinning", flush=True)
n = 0
while True:
    n = (n + 1) % 1000
