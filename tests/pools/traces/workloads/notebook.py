# The seed notebook's cells, one after another: refcounts, a cycle and gc,
# small objects, a generator pipeline, tracemalloc's top statistics.
import gc
import sys
import tracemalloc

a = []
b = [a, a]
print(sys.getrefcount(a))

class Node:
    def __init__(self, name):
        self.name = name
        self.other = None
        self.payload = [name] * 3

    def __del__(self):
        pass

for i in range(2000):
    x, y = Node(f"x{i}"), Node(f"y{i}")
    x.other, y.other = y, x
gc.collect()
print(gc.get_stats()[0])

small = [(i, str(i), float(i)) for i in range(20000)]
del small

def numbers(n):
    for i in range(n):
        yield i * i

print(sum(x for x in numbers(50000) if x % 3 == 0))

tracemalloc.start(5)
words = [("w%d" % i) * (i % 7 + 1) for i in range(20000)]
snap = tracemalloc.take_snapshot()
for stat in snap.statistics("lineno")[:10]:
    print(stat)
tracemalloc.stop()
