# Unpacking a sequence into separate variables (plain output: OK).
p = (4, 5)
x, y = p
print("x =", x, "y =", y)

data = ["ACME", 50, 91.1, (2012, 12, 21)]
name, shares, price, (year, mon, day) = data
print(name, shares, price, year, mon, day)

_, shares, price, _ = data
print("shares and price:", shares, price)

a, b, c = "xyz"
print("from a string:", a, b, c)
