class ReportBuilder:
    def __init__(self, title):
        self.title = title
        self.lines = []

    def add_line(self, text):
        self.lines.append(self._format(text))

    def _format(self, text):
        return f"- {text}"

    def header(self):
        return self.title.upper()

    def build(self):
        return "\n".join([self.header(), *self.lines])


builder = ReportBuilder("weekly")
builder.add_line("shipped v2")
builder.add_line("fixed login bug")
print(builder.build())
