def to_xml(record):
    return "".join(f"<{key}>{value}</{key}>" for key, value in record.items())


def to_json(record):
    return "{" + ", ".join(f'"{key}": "{value}"' for key, value in record.items()) + "}"


serializer = to_xml
serializer = to_json  # switched to JSON output in v2
print(serializer({"id": 1, "name": "ada"}))
