def parse(text):
    return text.split(",")


def clean(item):
    return item.strip().lower()


def is_blank(item):
    return not item.strip()


def render(items):
    return " | ".join(items)


def count_lengths(items):
    return {item: len(item) for item in items if not is_blank(item)}


def process(text):
    return render([clean(item) for item in parse(text) if not is_blank(item)])


print(process(" Apples, PEARS ,, plums"))
print(count_lengths(parse("a,bb,  ,ccc")))
