import config


def describe(settings):
    return ", ".join(f"{key}={value}" for key, value in sorted(settings.items()))


settings = config.merge(config.DEFAULTS, {"timeout": 30})
print(describe(settings))
