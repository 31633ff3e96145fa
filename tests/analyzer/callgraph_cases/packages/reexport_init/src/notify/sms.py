def send_sms(number, body):
    return f"sms {number}: {body[:160]}"
