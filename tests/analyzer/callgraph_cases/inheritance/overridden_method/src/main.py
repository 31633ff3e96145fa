class Shape:
    def area(self):
        return 0.0

    def label(self):
        return "shape"


class Square(Shape):
    def __init__(self, side):
        self.side = side

    def area(self):
        return self.side ** 2


class Circle(Shape):
    def __init__(self, radius):
        self.radius = radius

    def area(self):
        return 3.14159 * self.radius ** 2

    def label(self):
        return "circle"


square = Square(2)
circle = Circle(1)
generic = Shape()
print(square.area(), square.label())
print(circle.area(), circle.label())
print(generic.area())
