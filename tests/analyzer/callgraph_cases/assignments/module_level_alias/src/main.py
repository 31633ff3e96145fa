import helpers
from helpers import fmt_money

print(fmt_money(1234.5))
print(helpers.fmt_money(3, "EUR "))
