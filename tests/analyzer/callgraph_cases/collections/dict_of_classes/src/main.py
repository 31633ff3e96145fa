import json


class CsvParser:
    def parse(self, text):
        return [line.split(",") for line in text.splitlines()]


class JsonParser:
    def __init__(self, strict=True):
        self.strict = strict

    def parse(self, text):
        return json.loads(text, strict=self.strict)


PARSERS = {"csv": CsvParser, "json": JsonParser}


def parse_document(fmt, text):
    parser = PARSERS[fmt]()
    return parser.parse(text)


print(parse_document("csv", "a,b\nc,d"))
print(parse_document("json", '{"a": 1}'))
