import shop.pricing


def checkout(prices):
    return sum(shop.pricing.apply_discount(price, 10) for price in prices)


print(checkout([10.0, 24.99]))
