class EmailGateway:
    def deliver(self, address, text):
        return f"{address} <- {text}"


class Notifier:
    gateway: EmailGateway

    def __init__(self, gateway):
        self.gateway = gateway

    def notify(self, address):
        return self.gateway.deliver(address, "your order shipped")


print(Notifier(EmailGateway()).notify("ada@example.com"))
