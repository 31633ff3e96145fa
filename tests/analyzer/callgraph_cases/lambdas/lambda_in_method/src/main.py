class Scheduler:
    def __init__(self):
        self.jobs = []

    def _run(self, name):
        return f"ran {name}"

    def add_job(self, name):
        self.jobs.append((name, lambda: self._run(name)))

    def run_all(self):
        return [job() for _, job in self.jobs]


scheduler = Scheduler()
scheduler.add_job("backup")
scheduler.add_job("cleanup")
print(scheduler.run_all())
