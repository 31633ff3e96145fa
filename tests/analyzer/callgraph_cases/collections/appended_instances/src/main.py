class EmailChannel:
    def send(self, text):
        return f"email: {text}"


class SmsChannel:
    def send(self, text):
        return f"sms: {text}"


def channels_for(wants_sms):
    found = []
    found.append(EmailChannel())
    if wants_sms:
        found.append(SmsChannel())
    return found


def broadcast(text):
    for channel in channels_for(True):
        channel.send(text)


broadcast("hello")
