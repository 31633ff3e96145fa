import re


def slugify(value):
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
