class Cart:
    def __init__(self):
        self.items = []

    def add(self, name, price):
        self.items.append((name, price))

    def total(self):
        return sum(price for _, price in self.items)


class Mailer:
    def send(self, to, body):
        return f"{to}: {body}"


def checkout():
    cart = Cart()
    cart.add("book", 12.0)
    cart.add("pen", 1.5)
    mailer = Mailer()
    return mailer.send("ada@example.com", f"total {cart.total()}")


print(checkout())
