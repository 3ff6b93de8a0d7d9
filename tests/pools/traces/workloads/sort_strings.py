# Sorting strings: make, sort by several keys, dedupe and join.
import random

random.seed(3)
alphabet = "abcdefghijklmnopqrstuvwxyz"
names = ["".join(random.choice(alphabet) for _ in range(random.randint(3, 14))) for _ in range(25000)]
by_value = sorted(names)
by_length = sorted(names, key=lambda s: (len(s), s))
by_reverse = sorted(names, key=lambda s: s[::-1], reverse=True)
unique = sorted(set(n.upper() for n in names))
print(by_value[0], by_length[-1], by_reverse[0], len(unique), len(",".join(unique)))
