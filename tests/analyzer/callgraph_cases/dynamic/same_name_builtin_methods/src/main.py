class Team:
    def __init__(self):
        self.members = []
        self.settings = {}

    def join(self, name):
        self.members.append(name)

    def update(self, **settings):
        self.settings.update(settings)

    def roster(self):
        return ", ".join(self.members)


def merge_settings(base, extra):
    merged = dict(base)
    merged.update(extra)
    return merged


team = Team()
team.join("ada")
team.join("linus")
team.update(timezone="UTC")
print(team.roster(), merge_settings({"a": 1}, {"b": 2}))
