from typing import Optional


class Inventory:
    def __init__(self):
        self.stock = {"apple": 3, "pear": 1}

    def available(self, item):
        return self.stock.get(item, 0)

    def reserve(self, item, quantity):
        self.stock[item] -= quantity


class Logger:
    def info(self, message):
        print(f"INFO {message}")


def place_order(inventory: Inventory, item: str, quantity: int, log: Logger | None = None) -> bool:
    if inventory.available(item) < quantity:
        return False
    inventory.reserve(item, quantity)
    if log is not None:
        log.info(f"reserved {quantity} {item}")
    return True


def report(inventory: Inventory, log: Optional[Logger] = None):
    if log:
        log.info(f"apples left: {inventory.available('apple')}")


stock = Inventory()
print(place_order(stock, "apple", 2, Logger()))
report(stock, Logger())
