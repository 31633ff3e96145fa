def strip_whitespace(text):
    return text.strip()


def collapse_spaces(text):
    return " ".join(text.split())


def lowercase(text):
    return text.lower()


PIPELINE = (strip_whitespace, collapse_spaces, lowercase)


def clean(text):
    for step in PIPELINE:
        text = step(text)
    return text


print(clean("  Hello    WORLD  "))
