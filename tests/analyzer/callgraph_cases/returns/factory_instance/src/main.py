class PdfRenderer:
    def render(self, doc):
        return f"pdf:{doc}"


class HtmlRenderer:
    def __init__(self, theme="light"):
        self.theme = theme

    def render(self, doc):
        return f"<html class={self.theme}>{doc}</html>"


def renderer_factory(kind):
    if kind == "pdf":
        return PdfRenderer()
    return HtmlRenderer()


def publish(doc):
    return [renderer_factory(kind).render(doc) for kind in ("pdf", "html")]


print(publish("report"))
