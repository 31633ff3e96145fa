class Logger:
    def __init__(self, name):
        self.name = name

    def log(self, message):
        return f"[{self.name}] {message}"

    warn = log


logger = Logger("app")
write = logger.log
print(write("started"))
print(logger.warn("disk almost full"))
