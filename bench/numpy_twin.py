# NumPy twins of matmul.dlt, elementwise.dlt, solve.dlt and eig_sym.dlt: the same sizes, the same
# number of repetitions, timed around the operation only; prints seconds per operation.
#   numpy_twin.py matmul N | add | mul | scale | exp | solve N | eig_sym N
import math
import sys
import time

import numpy as np


def per_op(f, reps):
    r = f()  # warm-up, as in the DLT programs: two results alive, as in the timed loop
    r = f()
    t0 = time.perf_counter()
    for _ in range(reps):
        r = f()
    del r
    return (time.perf_counter() - t0) / reps


def main():
    work = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else None
    rng = np.random.default_rng(1)
    if work == "matmul":
        n = n or 512
        A, B = rng.standard_normal((n, n)), rng.standard_normal((n, n))
        t = per_op(lambda: A @ B, max(10, math.ceil(2e9 / n**3)))
    elif work in ("add", "mul", "scale", "exp"):
        A, B = rng.random((1000, 1000)), rng.random((1000, 1000))
        f = {"add": lambda: A + B, "mul": lambda: A * B, "scale": lambda: A * 2, "exp": lambda: np.exp(A)}[work]
        t = per_op(f, 50 if work == "exp" else 200)
    elif work == "solve":
        n = n or 1000
        A, b = rng.standard_normal((n, n)), rng.standard_normal(n)
        t = per_op(lambda: np.linalg.solve(A, b), 5)
    elif work == "eig_sym":
        n = n or 1000
        A = rng.standard_normal((n, n))
        S = (A + A.T) / 2
        t = per_op(lambda: np.linalg.eigh(S), 3)
    else:
        sys.exit("numpy_twin.py: unknown workload " + work)
    print(t)


main()
