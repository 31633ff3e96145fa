class Commands:
    def _status(self, state):
        return f"service {state}"

    def do_start(self):
        return self._status("started")

    def do_stop(self):
        return self._status("stopped")


def execute(commands, name):
    method = getattr(commands, f"do_{name}")
    return method()


commands = Commands()
print(execute(commands, "start"), execute(commands, "stop"))
