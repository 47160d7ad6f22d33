# Output that is equal only after normalization (OK with the default rules):
# * sets of strings print in hash order, and string hashing is randomised per run
#   (in CPython and in the wasm alike): rule set-order;
# * objects print with their address (0x7f... under CPython, small under wasm): object-address;
# * a function compiled by Nuitka prints as <compiled_function ...>, its type as
#   <class 'compiled_function'>: compiled-types.
colors = {"red", "green", "blue", "yellow"}
print("colors:", colors)
print("frozen:", frozenset({"x", "y", "z"}))
print("common:", colors & {"blue", "red", "black"})
print("by name:", {"apple": {"red", "green"}, "plum": {"purple"}})
print("pairs:", {("a", 1), ("b", 2), ("c", 3)})


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y


def area(width, height):
    return width * height


print("point:", Point(1, 2))
print("object:", object())
print("function:", area)
print("type of function:", type(area))
print("area(3, 4) =", area(3, 4))
