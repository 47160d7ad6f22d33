# Name resolution. CPython resolves localhost (from /etc/hosts, no network needed); the WASI
# _socket module has no getaddrinfo, so the wasm raises
# "AttributeError: module '_socket' has no attribute 'getaddrinfo'": WASM_EXECUTION_FAILURE.
# socket is not a default bypass import, so this case does run.
import socket

infos = socket.getaddrinfo("localhost", 80, socket.AF_INET, socket.SOCK_STREAM)
print("addresses:", sorted({info[4][0] for info in infos}))
