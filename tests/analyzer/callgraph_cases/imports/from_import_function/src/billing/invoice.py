TAX_RATE = 0.2


def subtotal(lines):
    return sum(quantity * price for quantity, price in lines)


def total(lines):
    amount = subtotal(lines)
    return round(amount + amount * TAX_RATE, 2)


def create_invoice(customer, lines):
    return {"customer": customer, "total": total(lines)}
