class Order:
    def __init__(self, total):
        self.total = total

    def describe(self):
        return f"order of {self.total:.2f}"
