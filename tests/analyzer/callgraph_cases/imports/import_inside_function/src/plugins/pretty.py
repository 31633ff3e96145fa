def render(rows):
    return "\n".join(repr(row) for row in rows)
