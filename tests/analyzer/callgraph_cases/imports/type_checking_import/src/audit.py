def record_change(entity, change):
    return f"{entity}: {change}"
