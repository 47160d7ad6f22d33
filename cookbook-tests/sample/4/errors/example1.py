# Fails on purpose under CPython (uncaught ValueError, exit 1): PY_EXECUTION_FAILURE.
# The pipeline runs CPython first, so the wasm result does not matter for the code.
def parse_price(text):
    return float(text)


for text in ["12.5", "7", "N/A"]:
    print(text, "->", parse_price(text))
