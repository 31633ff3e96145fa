class Client:
    def __init__(self, base_url):
        self.base_url = base_url.rstrip("/")

    def get(self, path):
        return f"GET {self.base_url}{path}"
