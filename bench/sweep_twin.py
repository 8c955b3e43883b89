"""The twin of sweep_overhead.dlt: the same grid as a Python loop building a list of rows (what a
sweep replaces in a notebook), seconds per point."""
import sys
import time

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
t0 = time.perf_counter()
rows = []
for i in range(1, n + 1):
    rows.append({"i": i, "y": i * 2})
print((time.perf_counter() - t0) / n)
