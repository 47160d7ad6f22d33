# Reads data.txt written by example1.py (runs after it). No fallback on purpose: if the
# file is missing, the ordering or the working directory is wrong, and this fails loudly.
total = 0.0
with open("data.txt") as f:
    for line in f:
        name, shares, price = line.strip().split(",")
        total += int(shares) * float(price)
        print(f"{name:>6} {int(shares):>5} {float(price):>8.2f}")
print(f"total: {total:.2f}")
