class Temperature:
    def __init__(self, celsius):
        self.celsius = celsius

    @classmethod
    def from_fahrenheit(cls, value):
        return cls(cls.to_celsius(value))

    @staticmethod
    def to_celsius(fahrenheit):
        return (fahrenheit - 32) * 5 / 9

    @staticmethod
    def describe(celsius):
        return f"{Temperature.round_value(celsius)} C"

    @staticmethod
    def round_value(value):
        return round(value, 1)


boiling = Temperature.from_fahrenheit(212)
print(Temperature.describe(boiling.celsius))
