# A big report: 60,000 lines, about 3.3 MB on stdout (OK; exercises output capture).
for i in range(60000):
    print(f"row {i:06d}: {i * i:>12d} {i % 97:>3d} {'#' * (i % 40)}")
print("end of report")
