try:
    from fast_codec import encode
except ImportError:
    from codec.fallback import encode


def save(record):
    return {key: encode(value) for key, value in record.items()}


print(save({"title": 'say "hi"', "body": "plain"}))
