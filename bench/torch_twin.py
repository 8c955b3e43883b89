# PyTorch twins of train_twolayer.dlt and empirical_ntk.dlt: float64 on the CPU, the same shapes,
# the same number of repetitions, timed around the work only; prints seconds per operation.
#   torch_twin.py train WIDTH [STEPS]     full-batch GD, 500 steps by default: seconds per run
#   torch_twin.py ntk [WIDTH [N]] [--method=M]
#                                         the empirical NTK Gram matrix: seconds per matrix
#   torch_twin.py ntk-all [WIDTH [N]]     time every NTK method once (to choose the default)
#   torch_twin.py check DIR               compare with the small cases written by
#                                         `train_twolayer.dlt check DIR` and `empirical_ntk.dlt check DIR`
# NTK methods: "vmap" (functorch: vmap of grad over the examples, the per-example gradients
# flattened into J, then J @ J.T; the default, fastest generic method measured in torch 1.13),
# "batched" (one autograd.grad call with is_grads_batched=True and the identity as a batch of
# output cotangents), "jacobian" (torch.autograd.functional.jacobian(vectorize=True) of the
# outputs with respect to the flat parameters) and "layers" (the per-layer formula DLT uses,
# K = Σ_l (G_l G_lᵀ) ∘ (A_l A_lᵀ + 1), hand-written for this architecture: not a generic method).
# Threads: torch.set_num_threads(N) with N = OPENBLAS_NUM_THREADS (exported by bench/run), which
# also sizes OpenBLAS's own pool, so both sides use the same number of threads. Debian's torch runs
# its own kernels on an OpenMP pool and its products on OpenBLAS's pthread pool; with libgomp's
# default (active, spinning) wait policy the idle OpenMP threads take the cores OpenBLAS needs:
# on 2 cores, 500 steps at width 512 took 14-18 s instead of 0.5 s. So the twin waits passively
# (OMP_WAIT_POLICY=PASSIVE, read by libgomp when torch loads it), unless told otherwise.
import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402

D_IN = 10


def threads():
    n = int(os.environ.get("OPENBLAS_NUM_THREADS", "0") or 0) or os.cpu_count() or 1
    torch.set_num_threads(n)
    return n


def two_layer(width, X, gen, Cb=0.1):
    """nn.Linear layers with DLT's standard-parametrisation initialisation (weight variance
    1/fan_in, bias variance Cb), so both sides train the same kind of network."""
    net = torch.nn.Sequential(torch.nn.Linear(X.shape[1], width), torch.nn.ReLU(), torch.nn.Linear(width, 1)).double()
    with torch.no_grad():
        for layer in (net[0], net[2]):
            layer.weight.normal_(0, layer.in_features ** -0.5, generator=gen)
            layer.bias.normal_(0, Cb ** 0.5, generator=gen)
    return net


def set_params(net, Ws, bs):
    with torch.no_grad():
        for layer, W, b in zip((net[0], net[2]), Ws, bs):
            layer.weight.copy_(torch.from_numpy(W))
            layer.bias.copy_(torch.from_numpy(b.reshape(-1)))


# ------------------------------------------------------------------ training
def gd(net, X, y, lr, steps):
    """steps of full-batch gradient descent on mean((f(X) - y)²); returns the loss at the end."""
    ps = list(net.parameters())
    for _ in range(steps):
        loss = ((net(X) - y) ** 2).mean()
        for p in ps:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in ps:
                p.add_(p.grad, alpha=-lr)
    with torch.no_grad():
        return ((net(X) - y) ** 2).mean().item()


def bench_train(width, steps):
    gen = torch.Generator().manual_seed(1)
    X = torch.randn(256, D_IN, dtype=torch.float64, generator=gen)
    y = torch.randn(256, 1, dtype=torch.float64, generator=gen)
    net = two_layer(width, X, gen)
    start = [p.detach().clone() for p in net.parameters()]
    reps = max(1, 512 // width)  # as train_twolayer.dlt
    lr = 1 / width
    gd(net, X, y, lr, 10)  # warm-up

    t0 = time.perf_counter()
    for _ in range(reps):
        with torch.no_grad():  # every run starts from the same network, as DLT's train(f, ...) does
            for p, p0 in zip(net.parameters(), start):
                p.copy_(p0)
        gd(net, X, y, lr, steps)
    return (time.perf_counter() - t0) / reps


# ------------------------------------------------------------------ the empirical NTK
def flat_jacobian_vmap(net, X):
    from functorch import grad, make_functional, vmap

    fmodel, params = make_functional(net)

    def f1(ps, x):
        return fmodel(ps, x.unsqueeze(0)).squeeze()

    per_example = vmap(grad(f1), in_dims=(None, 0))(params, X)
    return torch.cat([g.reshape(X.shape[0], -1) for g in per_example], dim=1)


def flat_jacobian_batched(net, X):
    ps = list(net.parameters())
    out = net(X).reshape(-1)
    eye = torch.eye(X.shape[0], dtype=X.dtype)
    gs = torch.autograd.grad(out, ps, grad_outputs=eye, is_grads_batched=True)
    return torch.cat([g.reshape(X.shape[0], -1) for g in gs], dim=1)


def flat_jacobian_functional(net, X):
    from functorch import make_functional

    fmodel, params = make_functional(net)
    shapes = [p.shape for p in params]
    sizes = [p.numel() for p in params]
    theta = torch.cat([p.reshape(-1) for p in params]).detach()

    def f(th):
        ps = [t.reshape(s) for t, s in zip(torch.split(th, sizes), shapes)]
        return fmodel(ps, X).reshape(-1)

    return torch.autograd.functional.jacobian(f, theta, vectorize=True)


def ntk_layers(net, X):
    """the per-layer Gram products of DLT's net_kernel.c, written out for Linear-ReLU-Linear"""
    with torch.no_grad():
        W1, b1, W2 = net[0].weight, net[0].bias, net[2].weight
        H = torch.addmm(b1, X, W1.T)
        A1 = torch.relu(H)
        G1 = (H > 0).to(X.dtype) * W2  # ∂f/∂h for each example: n×width
        K = (G1 @ G1.T) * (X @ X.T + 1)  # first layer: weights and biases
        K += A1 @ A1.T + 1  # second layer: G = 1
        return K


METHODS = {
    "vmap": lambda net, X: (lambda J: J @ J.T)(flat_jacobian_vmap(net, X)),
    "batched": lambda net, X: (lambda J: J @ J.T)(flat_jacobian_batched(net, X)),
    "jacobian": lambda net, X: (lambda J: J @ J.T)(flat_jacobian_functional(net, X)),
    "layers": ntk_layers,
}


def bench_ntk(width, n, method, reps=5):
    gen = torch.Generator().manual_seed(1)
    X = torch.randn(n, D_IN, dtype=torch.float64, generator=gen)
    net = two_layer(width, X, gen)
    f = METHODS[method]
    K = f(net, X)  # warm-up, twice: two Gram matrices alive in the timed loop, as in DLT
    K = f(net, X)
    t0 = time.perf_counter()
    for _ in range(reps):
        K = f(net, X)
    del K
    return (time.perf_counter() - t0) / reps


# ------------------------------------------------------------------ cross-check with DLT
def load(d, name):
    return np.loadtxt(os.path.join(d, name + ".csv"), delimiter=",", ndmin=2)


def check(d):
    """Same data, same initial parameters: the trained parameters and the NTK must agree with
    DLT's to rounding. Exits 1 on a mismatch."""
    ok = True
    X = torch.from_numpy(load(d, "train_X"))
    y = torch.from_numpy(load(d, "train_y"))
    W1 = load(d, "train_W1")
    net = two_layer(W1.shape[0], X, torch.Generator())
    set_params(net, [W1, load(d, "train_W2")], [load(d, "train_b1"), load(d, "train_b2")])
    loss = gd(net, X, y, 1 / W1.shape[0], 50)
    dlt_loss = load(d, "train_loss").reshape(-1)[-1]
    ends = [load(d, n) for n in ("train_W1_end", "train_b1_end", "train_W2_end", "train_b2_end")]
    mine = [p.detach().numpy().reshape(e.shape) for p, e in zip(net.parameters(), ends)]
    err = max(np.max(np.abs(a - b)) / np.max(np.abs(b)) for a, b in zip(mine, ends))
    print(f"train, width 16, 50 steps: loss DLT {dlt_loss:.12g} torch {loss:.12g}; parameters max rel. diff {err:.1e}")
    ok &= err < 1e-10 and abs(loss - dlt_loss) < 1e-10 * abs(dlt_loss)

    X = torch.from_numpy(load(d, "ntk_X"))
    W1 = load(d, "ntk_W1")
    net = two_layer(W1.shape[0], X, torch.Generator())
    set_params(net, [W1, load(d, "ntk_W2")], [load(d, "ntk_b1"), load(d, "ntk_b2")])
    K = load(d, "ntk_K")
    for name, f in METHODS.items():
        Kt = f(net, X).detach().numpy()
        err = np.max(np.abs(Kt - K)) / np.max(np.abs(K))
        print(f"ntk ({name}), width 32, n = 40: trace DLT {np.trace(K):.12g} torch {np.trace(Kt):.12g}; max rel. diff {err:.1e}")
        ok &= err < 1e-12
    sys.exit(0 if ok else 1)


def main():
    threads()
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    opts = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--") and "=" in a)
    work = args[0] if args else ""
    if work == "train":
        print(bench_train(int(args[1]) if len(args) > 1 else 512, int(args[2]) if len(args) > 2 else 500))
    elif work == "ntk":
        width, n = (int(args[1]) if len(args) > 1 else 1024), (int(args[2]) if len(args) > 2 else 500)
        print(bench_ntk(width, n, opts.get("method", "vmap")))
    elif work == "ntk-all":
        width, n = (int(args[1]) if len(args) > 1 else 1024), (int(args[2]) if len(args) > 2 else 500)
        for m in METHODS:
            print(m, bench_ntk(width, n, m, reps=2))
    elif work == "check":
        check(args[1])
    else:
        sys.exit("torch_twin.py: unknown workload " + repr(work) + " (train, ntk, ntk-all, check)")


main()
