from dataclasses import dataclass, field


@dataclass
class LineItem:
    sku: str
    quantity: int
    unit_price: float

    def cost(self):
        return self.quantity * self.unit_price


@dataclass
class Order:
    items: list = field(default_factory=list)

    def add(self, item):
        self.items.append(item)

    def total(self):
        return sum(i.quantity * i.unit_price for i in self.items)


order = Order()
pen = LineItem("pen", 3, 1.5)
order.add(pen)
order.add(LineItem("book", 1, 12.0))
print(pen.cost(), order.total())
