from text.slug import slugify as make_slug


def slugify(title, section):
    return f"{section}/{make_slug(title)}"


print(slugify("Hello, World!", "blog"))
