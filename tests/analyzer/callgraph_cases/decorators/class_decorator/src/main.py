REGISTRY = {}


def register(cls):
    REGISTRY[cls.__name__.lower()] = cls
    return cls


def tag(label):
    def apply(cls):
        cls.tags = getattr(cls, "tags", ()) + (label,)
        return cls

    return apply


@register
@tag("export")
class CsvExporter:
    def __init__(self, delimiter=","):
        self.delimiter = delimiter

    def export(self, rows):
        return "\n".join(self.delimiter.join(row) for row in rows)


exporter = CsvExporter(";")
print(exporter.export([["id", "name"], ["1", "ada"]]))
print(sorted(REGISTRY), CsvExporter.tags)
