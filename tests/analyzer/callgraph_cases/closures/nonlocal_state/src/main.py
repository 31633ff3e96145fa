def reject(reason):
    print(reason)
    return False


def make_rate_limiter(limit):
    used = 0

    def remaining():
        return limit - used

    def allow():
        nonlocal used
        if remaining() <= 0:
            return reject("rate limit reached")
        used += 1
        return True

    return allow


check = make_rate_limiter(2)
print([check() for _ in range(3)])
