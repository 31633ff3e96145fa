def round_price(value):
    return round(value, 2)


def apply_discount(price, percent):
    return round_price(price * (1 - percent / 100))
