def to_csv(rows):
    return "\n".join(",".join(str(cell) for cell in row) for row in rows)
