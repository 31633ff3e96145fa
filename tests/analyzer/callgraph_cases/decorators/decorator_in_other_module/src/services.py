from instrumentation import metrics
from instrumentation.metrics import counted


@metrics.cached(maxsize=32)
def scale(value, factor):
    return round(value * factor)


@counted
def resize(width, height, factor):
    return scale(width, factor), scale(height, factor)
