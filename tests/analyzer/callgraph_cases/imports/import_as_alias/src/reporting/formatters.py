def pad(text, width):
    return text.ljust(width)


def as_table(rows):
    return "\n".join(" | ".join(pad(str(cell), 6) for cell in row) for row in rows)
