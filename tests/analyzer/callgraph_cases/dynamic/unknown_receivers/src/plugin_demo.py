def setup():
    return "plugin ready"
