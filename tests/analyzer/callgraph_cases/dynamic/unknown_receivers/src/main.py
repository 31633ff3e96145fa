import importlib
import json


class Invoice:
    def __init__(self, amount):
        self.amount = amount

    def total(self):
        return self.amount * 1.2


class Refund:
    def total(self):
        return -10.0


def grand_total(documents):
    return sum(doc.total() for doc in documents)


def load_plugin(module_name):
    module = importlib.import_module(module_name)
    return module.setup()


def item_names(payload):
    data = json.loads(payload)
    return [item.get("name") for item in data["items"]]


print(grand_total([Invoice(100), Refund()]))
print(load_plugin("plugin_demo"))
print(item_names('{"items": [{"name": "pen"}]}'))
