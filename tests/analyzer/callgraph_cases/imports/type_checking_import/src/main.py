from models import Order
from pricing import discounted_total

order = Order(80.0)
print(discounted_total(order, 25))
