# Dict-heavy work: build, grow, merge and invert dictionaries of strings.
index = {}
for i in range(30000):
    key = "k%05d" % (i * 7919 % 30000)
    index.setdefault(key[:3], {})[key] = i
inverted = {}
for bucket in index.values():
    for k, v in bucket.items():
        inverted[v] = k
merged = {**{str(k): v for k, v in list(inverted.items())[:10000]}, "extra": 1}
counts = {}
for k in merged:
    counts[len(k)] = counts.get(len(k), 0) + 1
print(len(index), len(inverted), counts)
