from instrumentation.metrics import COUNTS
from services import resize

print(resize(640, 480, 0.5), resize(100, 50, 2), COUNTS)
