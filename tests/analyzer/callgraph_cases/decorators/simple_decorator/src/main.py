CALLS = []


def trace(func):
    def wrapper(*args, **kwargs):
        CALLS.append(func.__name__)
        return func(*args, **kwargs)

    return wrapper


@trace
def compute_tax(amount):
    return round(amount * 0.2, 2)


def invoice_total(amount):
    return amount + compute_tax(amount)


print(invoice_total(100), CALLS)
