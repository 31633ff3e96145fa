class Animal:
    def __init__(self, name):
        self.name = name

    def sound(self):
        return "..."

    def describe(self):
        return f"{self.name} says {self.sound()}"


class Dog(Animal):
    def fetch(self):
        return f"{self.name} fetches the ball; {self.describe()}"


rex = Dog("rex")
print(rex.fetch())
print(rex.describe())
