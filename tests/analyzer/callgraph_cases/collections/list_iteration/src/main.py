def check_disk():
    return "disk ok"


def check_memory():
    return "memory ok"


def check_network():
    return "network ok"


def run_health_checks():
    results = []
    for check in [check_disk, check_memory, check_network]:
        results.append(check())
    return results


print(run_health_checks())
