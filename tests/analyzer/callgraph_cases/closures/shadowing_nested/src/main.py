def format_value(value):
    return f"<{value}>"


def render_row(values):
    def format_value(value):
        return str(value).rjust(6)

    return "".join(format_value(value) for value in values)


def render_header(names):
    return " ".join(format_value(name) for name in names)


print(render_header(["id", "qty"]))
print(render_row([1, 250]))
