def calculate_shipping(weight):
    return 5 + weight * 1.5


ship_cost = calculate_shipping


def quote(weight):
    estimator = ship_cost
    return estimator(weight)


print(quote(3))
