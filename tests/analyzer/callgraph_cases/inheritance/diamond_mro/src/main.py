class Record:
    def __init__(self):
        self.data = {}

    def save(self):
        return "record.save"

    def describe(self):
        return "record"

    def touch(self):
        self.data["touched"] = True


class Versioned(Record):
    def describe(self):
        return "versioned record"


class Searchable(Record):
    def __init__(self):
        super().__init__()
        self.index = []

    def save(self):
        return "searchable.save"


class Document(Versioned, Searchable):
    def publish(self):
        self.touch()
        return [self.save(), self.describe()]


doc = Document()
print(doc.publish())
