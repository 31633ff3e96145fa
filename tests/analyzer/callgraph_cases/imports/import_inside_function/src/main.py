def export(rows, fmt):
    if fmt == "csv":
        from plugins.exporter import to_csv

        return to_csv(rows)
    import plugins.pretty as pretty

    return pretty.render(rows)


print(export([(1, 2), (3, 4)], "csv"))
print(export([(1, 2)], "pretty"))
