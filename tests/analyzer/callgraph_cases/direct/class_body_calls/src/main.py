def build_choices(*names):
    return tuple((name, name.title()) for name in names)


def default_timeout():
    return 30


class Settings:
    STATUS_CHOICES = build_choices("draft", "published", "archived")
    TIMEOUT = default_timeout()

    def timeout_ms(self):
        return self.TIMEOUT * 1000


settings = Settings()
print(settings.STATUS_CHOICES, settings.timeout_ms())
