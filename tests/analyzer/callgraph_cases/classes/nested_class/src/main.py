class Parser:
    class Token:
        def __init__(self, kind, text):
            self.kind = kind
            self.text = text

        def is_number(self):
            return self.kind == "number"

    def __init__(self, text):
        self.text = text

    def _classify(self, part):
        return "number" if part.isdigit() else "word"

    def count_numbers(self):
        count = 0
        for part in self.text.split():
            token = Parser.Token(self._classify(part), part)
            if token.is_number():
                count += 1
        return count


print(Parser("order 66 has 3 items").count_numbers())
