# Build nested records, dump them to JSON text, load them back, compare.
import json

records = [
    {"id": i, "name": "user%d" % i, "tags": ["t%d" % (i % 13), "x"], "score": i * 0.5,
     "address": {"city": "c%d" % (i % 97), "zip": str(10000 + i)}}
    for i in range(6000)
]
for _ in range(3):
    text = json.dumps(records)
    back = json.loads(text)
    assert back == records
print(len(text))
