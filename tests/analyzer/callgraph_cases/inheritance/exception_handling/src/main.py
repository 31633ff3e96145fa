class AppError(Exception):
    pass


class NotFoundError(AppError):
    def __init__(self, resource):
        super().__init__(f"{resource} not found")
        self.resource = resource


class ValidationError(AppError):
    def describe(self):
        return f"invalid input: {self.args[0]}"


def find(items, key):
    if key not in items:
        raise NotFoundError(key)
    return items[key]


def validate(value):
    if not value:
        raise ValidationError("empty value")
    return value


try:
    find({}, "user:1")
except NotFoundError as missing:
    print(missing.resource)

try:
    validate("")
except ValidationError as err:
    print(err.describe())
