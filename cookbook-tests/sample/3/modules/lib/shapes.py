"""Support module of the modules recipe (not a case)."""


class Rectangle:
    def __init__(self, width, height):
        self.width = width
        self.height = height

    def area(self):
        return self.width * self.height

    def __repr__(self):
        return f"Rectangle({self.width}, {self.height})"


def total_area(shapes):
    return sum(s.area() for s in shapes)
