# NumPy twin of nngp_gram.dlt: the NNGP and NTK Gram matrices of a ReLU mlp (NTK parametrisation,
# CW = 2, Cb = 0.1, biases, d = 100) by the same recursion, vectorised over whole n×n arrays in
# float64, with in-place ufuncs (out=) wherever the recursion allows:
#     K_1 = Cb + CW1 X Xᵀ/d,  Θ_1 = K_1 − Cb + 1
#     ρ = K/√(k kᵀ), θ = arccos ρ
#     K ← Cb + CW √(k kᵀ)(sin θ + (π − θ) ρ)/(2π),  Θ ← (K − Cb) + 1 + CW (π − θ)/(2π) Θ
# Prints seconds per pair of Gram matrices.
#   nngp_twin.py L N          time it
#   nngp_twin.py check DIR    redo nngp_gram.dlt's small case and compare
import math
import sys
import time

import numpy as np

CW, CB, CW1, BETA = 2.0, 0.1, 2.0, 1.0


def kernels(X, L):
    d = X.shape[1]
    K = X @ X.T
    K *= CW1 / d
    K += CB
    T = K - (CB - BETA)
    R = np.empty_like(K)
    S = np.empty_like(K)
    for _ in range(L):
        s = np.sqrt(np.diag(K))
        np.outer(s, s, out=S)
        np.divide(K, S, out=R)
        np.clip(R, -1.0, 1.0, out=R)
        np.fill_diagonal(R, 1.0)           # ρ(x, x) = 1 exactly (arccos is √-sensitive at 1)
        np.arccos(R, out=K)                # K now holds θ
        np.subtract(math.pi, K, out=K)     # π − θ
        T *= K
        T *= CW / (2 * math.pi)            # CW E[σ'σ'] Θ
        np.multiply(K, R, out=K)           # (π − θ) ρ
        np.multiply(R, R, out=R)
        np.subtract(1.0, R, out=R)
        np.sqrt(R, out=R)                  # sin θ
        K += R
        K *= S
        K *= CW / (2 * math.pi)            # CW E[σσ]
        T += K
        T += BETA
        K += CB
    return K, T


def main():
    if sys.argv[1] == "check":
        d = sys.argv[2]
        X = np.loadtxt(d + "/nngp_X.csv", delimiter=",")
        K, T = kernels(X, 3)
        Kd = np.loadtxt(d + "/nngp_K.csv", delimiter=",")
        Td = np.loadtxt(d + "/nngp_T.csv", delimiter=",")
        ek = np.abs(K - Kd).max() / np.abs(Kd).max()
        et = np.abs(T - Td).max() / np.abs(Td).max()
        print(f"nngp twin check: NNGP relative difference {ek:.2e}, NTK {et:.2e}")
        sys.exit(0 if ek < 1e-12 and et < 1e-12 else 1)
    L = int(sys.argv[1])
    n = int(sys.argv[2])
    X = np.random.default_rng(1).standard_normal((n, 100))
    reps = 3
    r = kernels(X, L)  # warm-up, as in the DLT program
    r = kernels(X, L)
    t0 = time.perf_counter()
    for _ in range(reps):
        r = kernels(X, L)
    del r
    print((time.perf_counter() - t0) / reps)


main()
