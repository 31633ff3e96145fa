def format_currency(amount, symbol="$"):
    return f"{symbol}{amount:,.2f}"


fmt_money = format_currency
