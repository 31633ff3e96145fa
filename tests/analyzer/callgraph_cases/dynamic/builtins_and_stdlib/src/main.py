import builtins
import json
import os.path
from collections import Counter


def sum(values):
    total = 0
    for value in values:
        total += value
    return round(total, 2)


def build_path(*parts):
    return os.path.join("/srv/app", *parts)


def word_counts(text):
    return Counter(text.split()).most_common(2)


def to_json(obj):
    return json.dumps(obj, sort_keys=True)


def main():
    print(len(build_path("static", "app.css")))
    print(to_json(dict(word_counts("a b a c"))))
    print(sum([0.1, 0.2]), builtins.sum([1, 2]))


if __name__ == "__main__":
    main()
