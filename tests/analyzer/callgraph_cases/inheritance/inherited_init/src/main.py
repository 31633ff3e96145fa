class Plugin:
    def __init__(self, name, priority=0):
        self.name = name
        self.priority = priority

    def enable(self):
        return f"{self.name} enabled"


class CsvPlugin(Plugin):
    def parse(self, text):
        return [line.split(",") for line in text.splitlines()]


class ExcelPlugin(CsvPlugin):
    pass


class PluginError(Exception):
    pass


class PluginNotFound(PluginError):
    pass


def load(name):
    if name == "csv":
        return CsvPlugin(name, priority=1)
    if name == "excel":
        return ExcelPlugin(name)
    raise PluginNotFound(name)


print(load("csv").name, load("excel").name)
try:
    load("pdf")
except PluginError as error:
    print("missing plugin", error)
