def make_adder(amount):
    def add(value):
        return value + amount

    return add


def make_multiplier(factor):
    def multiply(value):
        return value * factor

    return multiply


add_five = make_adder(5)
print(add_five(10))
print(make_multiplier(3)(7))
