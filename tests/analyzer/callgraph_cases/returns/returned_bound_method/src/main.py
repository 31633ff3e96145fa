class Button:
    def __init__(self, label):
        self.label = label

    def _emit(self, event):
        return f"{self.label}:{event}"

    def on_click(self):
        return self._emit("click")

    def handler(self):
        return self.on_click


def make_button(label):
    return Button(label)


def default_button():
    return make_button("save")


callback = default_button().handler()
print(callback())
