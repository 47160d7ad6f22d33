"""Support module of example1.py. Every .py directly in a recipe folder is a case, so this
one runs on its own too: then it checks itself."""


def greet(name):
    return f"hello, {name}"


def mean(values):
    return sum(values) / len(values)


if __name__ == "__main__":
    assert greet("x") == "hello, x"
    print("helper self-test:", greet("helper"), mean([2, 4]))
