# Imports a package from the recipe's lib/ folder: .py files below a recipe folder are
# support modules, not cases.
from lib.shapes import Rectangle, total_area

shapes = [Rectangle(2, 3), Rectangle(4, 5)]
print("shapes:", shapes)
print("total area:", total_area(shapes))
