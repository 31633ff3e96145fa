from billing.invoice import create_invoice, total


def main():
    lines = [(2, 5.0), (1, 12.5)]
    invoice = create_invoice("acme", lines)
    assert invoice["total"] == total(lines)
    print(invoice)


if __name__ == "__main__":
    main()
