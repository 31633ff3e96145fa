def build_pipeline(prefix):
    def stage_one(text):
        def strip_prefix(value):
            return value[len(prefix):] if value.startswith(prefix) else value

        return strip_prefix(text).strip()

    def stage_two(text):
        return stage_one(text).upper()

    return stage_two


run = build_pipeline("cmd:")
print(run("cmd: deploy "))
