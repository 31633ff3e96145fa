class Repository:
    def __init__(self, name):
        self.name = name
        self.items = {}

    def _validate(self, value):
        if not isinstance(value, dict):
            raise TypeError("records must be dicts")
        return value

    def add(self, key, value):
        self.items[key] = self._validate(value)

    def get(self, key):
        return self.items.get(key)
