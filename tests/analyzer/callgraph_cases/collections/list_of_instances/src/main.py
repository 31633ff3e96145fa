class EmailChannel:
    def send(self, message):
        return f"email: {message}"


class SmsChannel:
    def __init__(self, number):
        self.number = number

    def send(self, message):
        return f"sms {self.number}: {message[:160]}"


def broadcast(message):
    channels = [EmailChannel(), SmsChannel("+15550100")]
    return [channel.send(message) for channel in channels]


print(broadcast("maintenance at 22:00"))
