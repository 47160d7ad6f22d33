# Bytes that are not UTF-8 written straight to stdout (OK: the wasm writes the same bytes).
import sys

print("latin-1 follows")
sys.stdout.flush()
sys.stdout.buffer.write("café\n".encode("latin-1"))
sys.stdout.buffer.write(b"raw bytes: \xff\xfe\x80 end\n")
sys.stdout.buffer.flush()
print("done")
