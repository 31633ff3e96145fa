def disabled(func):
    def noop(*args, **kwargs):
        return None

    return noop


def format_newsletter(recipients):
    return f"newsletter for {len(recipients)} recipients"


@disabled
def send_newsletter(recipients):
    return format_newsletter(recipients)


def weekly_job():
    return send_newsletter(["ada@example.com"])


print(weekly_job())
