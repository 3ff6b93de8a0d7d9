# Write a large CSV file of orders, then load it back the way a report script
# does: csv.DictReader, a type conversion per field, totals per group.
import csv
import os
import tempfile

path = os.path.join(tempfile.mkdtemp(), "orders.csv")
with open(path, "w", newline="") as fh:
    w = csv.writer(fh)
    w.writerow(["order", "customer", "region", "item", "qty", "price", "date"])
    for i in range(25000):
        w.writerow([i, "cust%05d" % (i * 7 % 4099), ("north", "south", "east", "west")[i % 4],
                    "sku-%d" % (i % 311), 1 + i % 9, "%.2f" % (i % 1000 / 7), "2024-%02d-%02d" % (1 + i % 12, 1 + i % 28)])

totals, by_item = {}, {}
with open(path, newline="") as fh:
    for row in csv.DictReader(fh):
        amount = int(row["qty"]) * float(row["price"])
        key = (row["region"], row["date"][:7])
        totals[key] = totals.get(key, 0.0) + amount
        by_item.setdefault(row["item"], []).append(row["customer"])
os.remove(path)
os.rmdir(os.path.dirname(path))
print(len(totals), sum(len(v) for v in by_item.values()))
