class Handler:
    def handle(self, path):
        return {"status": 200, "path": path}

    def describe(self):
        return "handler"


class AuthHandler(Handler):
    def handle(self, path):
        response = super().handle(path)
        response["authenticated"] = path.startswith("/secure")
        return response


class LoggingHandler(AuthHandler):
    def handle(self, path):
        print("request", path)
        return super().handle(path)

    def describe(self):
        return "logging " + super().describe()


handler = LoggingHandler()
print(handler.handle("/secure/report"))
print(handler.describe())
