class Rectangle:
    def __init__(self, width, height):
        self.width = width
        self.height = height

    @property
    def area(self):
        return self._multiply(self.width, self.height)

    @staticmethod
    def _multiply(a, b):
        return a * b

    def describe(self):
        return f"{self.width}x{self.height} (area {self.area})"


rect = Rectangle(3, 4)
print(rect.area)
print(rect.describe())
