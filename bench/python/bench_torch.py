#!/usr/bin/python3
"""PyTorch side of the torchts bench.

Reads {"plan": ..., "workloads": [...], "threads": N} as JSON on stdin (the specs of
bench/src/workloads.ts), runs each workload with torch.set_num_threads(N) using the same timing
method as bench/src/timing.ts, and prints one JSON object on stdout. Run by bench/dist/run.js with
/usr/bin/python3 (Debian's PyTorch), one process per thread count.
"""
import json
import os
import sys
import time

import torch


def pattern(shape, seed):
    """The inputs of workloads.ts's patternTensor: ((i + seed) * 7919) mod 1000 / 500 - 1."""
    n = 1
    for s in shape:
        n *= s
    i = torch.arange(n, dtype=torch.float64)
    return (((i + seed) * 7919) % 1000 / 500 - 1).to(torch.float32).reshape(shape)


def add1_grad():
    """a.add(b) recorded for autograd (a node per call), the result dropped at once."""
    a = pattern([1], 1).requires_grad_()
    b = pattern([1], 2).requires_grad_()

    def batch(inner):
        for _ in range(inner):
            a.add(b)
    return batch


def chain_backward(steps):
    """Forward steps x (mul, add) on one element, then backward through all 2*steps nodes."""
    x = pattern([1], 1).requires_grad_()

    def batch(inner):
        for _ in range(inner):
            y = x
            for _ in range(steps):
                y = y.mul(1.0001).add(0.001)
            y.backward()
    return batch


def two_layer_autograd(dims, iterations):
    """The slides' two-layer net, autograd style, from the same initial weights every run."""
    n, d_in, h, d_out = dims
    lr = 1e-6
    torch.manual_seed(0)
    x = torch.randn(n, d_in)
    y = torch.randn(n, d_out)
    w1_init = torch.randn(d_in, h)
    w2_init = torch.randn(h, d_out)

    def batch(inner):
        for _ in range(inner):
            w1 = w1_init.clone().requires_grad_()
            w2 = w2_init.clone().requires_grad_()
            for _ in range(iterations):
                loss = x.mm(w1).clamp(min=0).mm(w2).sub(y).pow(2).sum()
                loss.backward()
                with torch.no_grad():
                    w1 -= lr * w1.grad
                    w2 -= lr * w2.grad
                    w1.grad.zero_()
                    w2.grad.zero_()
    return batch


def prepare_autograd(spec):
    """The workloads of bench/src/autograd-workloads.ts, or None for another op."""
    op = spec["op"]
    if op == "add1_grad":
        return add1_grad()
    if op == "chain_backward":
        return chain_backward(spec["steps"])
    if op == "two_layer_autograd":
        return two_layer_autograd(spec["shape"], spec["steps"])
    return None


LENET_PARAMS = [[6, 1, 5, 5], [6], [16, 6, 5, 5], [16], [120, 400], [120], [84, 120], [84], [10, 84], [10]]


def optimizer_steps(shapes, make):
    """inner optimizer steps over parameters with fixed pattern gradients."""
    params = [pattern(s, 2 * i + 1).requires_grad_() for i, s in enumerate(shapes)]
    for i, p in enumerate(params):
        p.grad = pattern(list(p.shape), 2 * i + 2).mul_(0.01)
    opt = make(params)

    def batch(inner):
        for _ in range(inner):
            opt.step()
    return batch


def embedding_fwdbwd(shape, count):
    """F.embedding of count indices ((i * 7919) mod rows) into a [rows, dim] weight, backward of the sum."""
    rows, dim = shape
    weight = pattern([rows, dim], 1).requires_grad_()
    indices = torch.tensor([(i * 7919) % rows for i in range(count)], dtype=torch.int64)

    def batch(inner):
        for _ in range(inner):
            torch.nn.functional.embedding(indices, weight).sum().backward()
            weight.grad = None
    return batch


def mlp_fwdbwd(shape):
    """nn.Sequential(Linear, ReLU, Linear) with pattern weights on a pattern batch: sum of squares, backward."""
    batch_size, in_f, hidden, out_f = shape
    model = torch.nn.Sequential(torch.nn.Linear(in_f, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, out_f))
    params = list(model.parameters())
    with torch.no_grad():
        for i, p in enumerate(params):
            p.copy_(pattern(list(p.shape), i + 3).mul_(0.05))
    x = pattern([batch_size, in_f], 1)

    def batch(inner):
        for _ in range(inner):
            model(x).square().sum().backward()
            for p in params:
                p.grad = None
    return batch


def prepare_optim(spec):
    """The workloads of bench/src/optim-workloads.ts, or None for another op."""
    op = spec["op"]
    if op == "adam_step":
        return optimizer_steps([spec["shape"]], lambda ps: torch.optim.Adam(ps, lr=1e-3))
    if op == "rmsprop_step":
        return optimizer_steps([spec["shape"]], lambda ps: torch.optim.RMSprop(ps, lr=1e-3))
    if op == "sgd_momentum_step":
        return optimizer_steps(LENET_PARAMS, lambda ps: torch.optim.SGD(ps, lr=0.01, momentum=0.9))
    if op == "embedding_fwdbwd":
        return embedding_fwdbwd(spec["shape"], spec["steps"])
    if op == "mlp_fwdbwd":
        return mlp_fwdbwd(spec["shape"])
    return None


def prepare_elementwise(spec):
    """The workloads of bench/src/elementwise-workloads.ts, or None for another op."""
    op = spec["op"]
    if op not in ("exp", "sigmoid", "tanh", "mask_mul", "clamp"):
        return None
    a = pattern(spec["shape"], 1)
    mask = pattern(spec["shape"], 2) > 0
    run = {
        "exp": lambda: torch.exp(a),
        "sigmoid": lambda: torch.sigmoid(a),
        "tanh": lambda: torch.tanh(a),
        "mask_mul": lambda: mask * a,
        "clamp": lambda: torch.clamp(a, -0.5, 0.5),
    }[op]

    def batch(inner):
        for _ in range(inner):
            run()
    return batch


def prepare_norm(spec):
    """The workloads of bench/src/norm-workloads.ts, or None for another op."""
    op = spec["op"]
    if op not in ("layer_norm_fwdbwd", "batch_norm_fwdbwd", "cross_entropy_fwdbwd"):
        return None
    shape = spec["shape"]
    F = torch.nn.functional
    x = pattern(shape, 1).requires_grad_()
    g = pattern(shape, 2)
    C = shape[-1] if op == "layer_norm_fwdbwd" else shape[1]
    w, b = pattern([C], 3).requires_grad_(), pattern([C], 4).requires_grad_()
    rm, rv = torch.zeros(C), torch.ones(C)
    target = torch.tensor([(i * 7919) % C for i in range(shape[0])])
    step = {
        "layer_norm_fwdbwd": lambda: (F.layer_norm(x, [C], w, b) * g).sum().backward(),
        "batch_norm_fwdbwd": lambda: (F.batch_norm(x, rm, rv, w, b, training=True) * g).sum().backward(),
        "cross_entropy_fwdbwd": lambda: F.cross_entropy(x, target).backward(),
    }[op]

    def batch(inner):
        for _ in range(inner):
            step()
            for p in (x, w, b):
                p.grad = None
    return batch


def conv2d(spec):
    """conv2d forward, or forward + backward of its sum (weight, bias, and input if inputGrad)."""
    conv = spec["conv"]
    backward = spec["op"] == "conv2d_fwdbwd"
    x = pattern(spec["shape"], 1)
    w = pattern(conv["weight"], 2).mul_(0.1)
    b = pattern([conv["weight"][0]], 3) if conv["bias"] else None
    if backward:
        w.requires_grad_()
        if b is not None:
            b.requires_grad_()
        if conv["inputGrad"]:
            x.requires_grad_()
    params = [p for p in (x, w, b) if p is not None]

    def batch(inner):
        for _ in range(inner):
            out = torch.nn.functional.conv2d(x, w, b, 1, conv["padding"])
            if backward:
                out.sum().backward()
                for p in params:
                    p.grad = None
    return batch


def prepare(spec):
    autograd_batch = prepare_autograd(spec)
    if autograd_batch is not None:
        return autograd_batch
    elementwise_batch = prepare_elementwise(spec)
    if elementwise_batch is not None:
        return elementwise_batch
    optim_batch = prepare_optim(spec)
    if optim_batch is not None:
        return optim_batch
    norm_batch = prepare_norm(spec)
    if norm_batch is not None:
        return norm_batch
    if spec["op"] in ("conv2d", "conv2d_fwdbwd"):
        return conv2d(spec)
    a, b, c = (pattern(spec["shape"], seed) for seed in (1, 2, 3))
    op = spec["op"]
    # Results are dropped at once, so CPython's refcount frees them each iteration (the
    # equivalent of torchts's "result disposed"; PyTorch has no tidy).
    if op in ("add1", "add"):
        def batch(inner):
            for _ in range(inner):
                a.add(b)
    elif op == "add_":
        def batch(inner):
            for _ in range(inner):
                a.add_(b)
    elif op == "matmul":
        def batch(inner):
            for _ in range(inner):
                torch.matmul(a, b)
    elif op == "mul_add_relu":
        def batch(inner):
            for _ in range(inner):
                torch.relu(a * b + c)
    elif op == "sum":
        dim = spec.get("dim")

        def batch(inner):
            for _ in range(inner):
                torch.sum(a) if dim is None else torch.sum(a, dim)
    elif op == "softmax":
        def batch(inner):
            for _ in range(inner):
                torch.softmax(a, 1)
    else:
        raise ValueError("unknown op " + op)
    return batch


def seconds(fn, inner):
    t0 = time.perf_counter()
    fn(inner)
    return time.perf_counter() - t0


def median(xs):
    s = sorted(xs)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


# Consecutive warm-up batches within this fraction of each other count as settled (timing.ts).
SETTLED = 0.05


def measure(batch, plan, fixed_inner=None):
    """A port of timing.ts's measure: calibrate, warm up, median of `reps` batches."""
    inner = fixed_inner or 1
    spent = 0.0
    last = 0.0
    if fixed_inner is None:
        while True:
            last = seconds(batch, inner)
            spent += last
            if last >= plan["targetBatchSeconds"] / 4 or inner >= 1 << 20:
                break
            inner *= 4
        scaled = max(1, round(inner * plan["targetBatchSeconds"] / last))
        if scaled != inner:
            inner = scaled
            last = 0.0
    previous = 0.0

    def settled():
        return previous > 0.0 and abs(last - previous) <= SETTLED * previous

    while spent < plan["warmupSeconds"] or last == 0.0 or (not settled() and spent < plan["maxWarmupSeconds"]):
        previous = last
        last = seconds(batch, inner)
        spent += last
    reps = max(3, min(plan["reps"], int(plan["maxWorkloadSeconds"] // last)))
    per_iter = [seconds(batch, inner) / inner for _ in range(reps)]
    return {"secondsPerIter": median(per_iter), "minSecondsPerIter": min(per_iter), "inner": inner, "reps": reps}


def loaded_blas():
    """The BLAS library actually mapped into this process (after a matmul has run)."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
        return sorted(paths)
    except OSError:
        return []


def main():
    req = json.load(sys.stdin)
    threads = int(req["threads"])
    torch.set_num_threads(threads)
    results = {}
    for spec in req["workloads"]:
        try:
            batch = prepare(spec)
            results[spec["id"]] = measure(batch, req["plan"], spec.get("fixedInner"))
        except Exception as e:  # report and go on: one failing workload must not hide the rest
            results[spec["id"]] = {"error": "%s: %s" % (type(e).__name__, e)}
    torch.matmul(torch.ones(64, 64), torch.ones(64, 64))
    json.dump({
        "torchVersion": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": loaded_blas(),
        "ldLibraryPath": os.environ.get("LD_LIBRARY_PATH", ""),
        "results": results,
    }, sys.stdout)


if __name__ == "__main__":
    main()
