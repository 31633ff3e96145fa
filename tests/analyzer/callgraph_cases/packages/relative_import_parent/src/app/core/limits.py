MAX_BYTES = 1024


def check_size(text):
    if len(text.encode()) > MAX_BYTES:
        raise ValueError("upload too large")
