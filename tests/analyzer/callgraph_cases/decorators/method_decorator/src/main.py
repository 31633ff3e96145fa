import functools


def validate_positive(func):
    @functools.wraps(func)
    def wrapper(self, amount):
        if amount <= 0:
            raise ValueError("amount must be positive")
        return func(self, amount)

    return wrapper


class Account:
    def __init__(self):
        self.balance = 0

    def _log(self, action, amount):
        return f"{action} {amount} -> balance {self.balance}"

    @validate_positive
    def deposit(self, amount):
        self.balance += amount
        return self._log("deposit", amount)

    @validate_positive
    def withdraw(self, amount):
        self.balance -= amount
        return self._log("withdraw", amount)


account = Account()
print(account.deposit(50))
print(account.withdraw(20))
