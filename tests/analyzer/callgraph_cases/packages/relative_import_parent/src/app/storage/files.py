def ensure_suffix(name, suffix):
    return name if name.endswith(suffix) else name + suffix


def write_text(store, name, text):
    store[ensure_suffix(name, ".txt")] = text
    return store
