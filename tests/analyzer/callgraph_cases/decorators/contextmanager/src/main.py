import contextlib


def begin(log):
    log.append("BEGIN")


def commit(log):
    log.append("COMMIT")


def rollback(log):
    log.append("ROLLBACK")


@contextlib.contextmanager
def transaction(log):
    begin(log)
    try:
        yield log
    except Exception:
        rollback(log)
        raise
    else:
        commit(log)


def save_order(log, order_id):
    with transaction(log) as tx:
        tx.append(f"INSERT order {order_id}")
    return log


print(save_order([], 7))
