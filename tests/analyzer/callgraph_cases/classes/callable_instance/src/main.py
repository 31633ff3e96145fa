class Multiplier:
    def __init__(self, factor):
        self.factor = factor

    def __call__(self, value):
        return self._apply(value)

    def _apply(self, value):
        return value * self.factor


double = Multiplier(2)
print(double(21))
