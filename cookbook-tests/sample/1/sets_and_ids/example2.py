# Timings and wall-clock values differ on every run (OK only after the timing and
# timestamp rules).
import time
from datetime import datetime


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


print("started at", datetime.now().isoformat(sep=" ", timespec="microseconds"))
start = time.perf_counter()
result = fib(18)
elapsed = time.perf_counter() - start
print("fib(18) =", result)
print(f"took {elapsed:.6f} s")
print("elapsed:", elapsed)
