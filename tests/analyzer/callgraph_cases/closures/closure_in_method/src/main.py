class EventBus:
    def __init__(self):
        self.listeners = []

    def _remove(self, name):
        self.listeners.remove(name)

    def subscribe(self, name):
        def unsubscribe():
            self._remove(name)

        self.listeners.append(name)
        return unsubscribe


bus = EventBus()
cancel = bus.subscribe("audit")
print(bus.listeners)
cancel()
print(bus.listeners)
