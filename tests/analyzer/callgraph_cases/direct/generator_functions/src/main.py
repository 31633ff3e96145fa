def parse_record(row):
    name, quantity = row.split(":")
    return name, int(quantity)


def read_records(rows):
    for row in rows:
        if row:
            yield parse_record(row)


def total_quantity(rows):
    return sum(quantity for _, quantity in read_records(rows))


print(total_quantity(["apple:3", "", "pear:4"]))
