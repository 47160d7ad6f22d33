# Writes data.txt in the working directory. example2.py of this recipe reads it back, so the
# examples of a recipe must run in file order, in the same directory.
rows = [("ACME", 100, 490.1), ("AAPL", 50, 545.75), ("IBM", 75, 91.1)]
with open("data.txt", "w") as f:
    for name, shares, price in rows:
        print(f"{name},{shares},{price}", file=f)
print("wrote", len(rows), "rows to data.txt")

with open("data.txt", "rb") as f:
    print("size:", len(f.read()), "bytes")
