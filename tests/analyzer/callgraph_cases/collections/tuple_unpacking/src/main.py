def encode(text):
    return text.encode("utf-8").hex()


def decode(data):
    return bytes.fromhex(data).decode("utf-8")


def make_codec():
    return encode, decode


def prepare(job):
    return f"prepared {job}"


def finalize(job):
    return f"finalized {job}"


enc, dec = make_codec()
print(dec(enc("hello")))

before, after = prepare, finalize
print(before("build"), after("build"))
