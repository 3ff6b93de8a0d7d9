# Text processing: tokenise generated prose with regular expressions, count words.
import collections
import re

words = ["alpha", "beta", "gamma", "delta", "pool", "arena", "block", "python", "memory"]
lines = [" ".join(words[(i * j) % len(words)] + str(j % 10) for j in range(12)) + "." for i in range(8000)]
text = "\n".join(lines)
counts = collections.Counter()
for m in re.finditer(r"([a-z]+)(\d)", text):
    counts[m.group(1)] += int(m.group(2))
pieces = re.split(r"[.\n]+", text)
subbed = [re.sub(r"a(\w)", r"<\1>", p) for p in pieces[:4000]]
print(counts.most_common(3), len(subbed))
