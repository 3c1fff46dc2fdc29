#!/usr/bin/env python3
"""PyTorch on the CPU as a peer in the comparisons (scripts/compare-numpy.sh --torch,
scripts/compare-torch): the same network, cost and update as Nielsen's network.py and ShardNet —
sigmoid layers (torch.nn.Linear + torch.sigmoid), quadratic cost C = 1/2 sum ||a - y||^2 over the
mini-batch, plain mini-batch SGD w -> w - (eta/m) dC/dw (torch.optim.SGD, lr = eta/m, no
momentum) — float32, eager mode, as a user writes it. torch.set_num_threads(--threads).

Two modes:
  scripts/network_torch.py [DIR] [--layers 784,30,10] [--epochs 1] [--batch-size 10] [--eta 3.0] [--threads T]
      Nielsen's setup on an MNIST-format folder: one JSON object per epoch, like
      scripts/network_py.py ("seconds" is the epoch's training time, the shuffle included).
  scripts/network_torch.py --synthetic N [--layers ...] [--batch-size ...] [--threads T] [--seconds S]
      Throughput on N synthetic samples (uniform [0, 1) pixels, random labels, like
      `shardnet bench`): warm-up, then repetitions of whole passes for about S seconds;
      prints one JSON object with the median samples/s.

Install: pip install torch (CPU wheels: the "+cpu" builds, e.g. torch==2.13.0+cpu).
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

try:
    import torch  # noqa: E402
except ImportError:
    sys.exit("network_torch.py: torch is not installed (pip install torch)")


def model(sizes, seed):
    torch.manual_seed(seed)
    layers = []
    for i, o in zip(sizes[:-1], sizes[1:]):
        lin = torch.nn.Linear(i, o)
        with torch.no_grad():   # Nielsen's initialisation: N(0, 1) weights and biases
            lin.weight.normal_()
            lin.bias.normal_()
        layers += [lin, torch.nn.Sigmoid()]
    return torch.nn.Sequential(*layers)


def train_steps(net, opt, x, y, m, steps):
    for k in range(steps):
        xb, yb = x[k * m:(k + 1) * m], y[k * m:(k + 1) * m]
        opt.zero_grad(set_to_none=True)
        cost = 0.5 * ((net(xb) - yb) ** 2).sum()
        cost.backward()
        opt.step()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data", nargs="?")
    p.add_argument("--layers", default="784,30,10")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=10)
    p.add_argument("--eta", type=float, default=3.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--synthetic", type=int, default=0)
    p.add_argument("--seconds", type=float, default=6.0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    sizes = [int(s) for s in a.layers.split(",")]
    m = a.batch_size
    net = model(sizes, a.seed)
    opt = torch.optim.SGD(net.parameters(), lr=a.eta / m)
    info = {"implementation": "PyTorch (CPU, eager)", "torch": torch.__version__, "threads": torch.get_num_threads(),
            "layers": a.layers, "batchSize": m}

    if a.synthetic:
        rng = np.random.default_rng(a.seed)
        n = a.synthetic // m * m
        x = torch.from_numpy(rng.random((n, sizes[0]), dtype=np.float32))
        y = torch.nn.functional.one_hot(torch.from_numpy(rng.integers(0, sizes[-1], n)), sizes[-1]).float()
        steps = n // m
        train_steps(net, opt, x, y, m, steps)   # warm-up
        rates, t_end = [], time.perf_counter() + a.seconds
        while time.perf_counter() < t_end or len(rates) < 3:
            t0 = time.perf_counter()
            train_steps(net, opt, x, y, m, steps)
            rates.append(n / (time.perf_counter() - t0))
        print(json.dumps({**info, "samples": n, "repetitions": len(rates), "samplesPerSecond": statistics.median(rates),
                          "min": min(rates), "max": max(rates)}), flush=True)
        return

    from network_py import DEFAULT_DIR, read_images, read_labels  # the same IDX reader
    d = a.data or DEFAULT_DIR
    x = read_images(d, "train-images-idx3-ubyte").astype(np.float32)
    ylab = read_labels(d, "train-labels-idx1-ubyte")
    tx = read_images(d, "t10k-images-idx3-ubyte").astype(np.float32)
    ty = read_labels(d, "t10k-labels-idx1-ubyte")
    x, tx = torch.from_numpy(x.reshape(len(x), -1)), torch.from_numpy(tx.reshape(len(tx), -1))   # already byte / 255
    onehot = torch.nn.functional.one_hot(torch.from_numpy(ylab.astype(np.int64)), sizes[-1]).float()
    n = len(x)
    g = torch.Generator().manual_seed(a.seed)
    for e in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        order = torch.randperm(n, generator=g)
        xe, ye = x[order], onehot[order]
        steps = (n + m - 1) // m
        for k in range(steps):   # the last mini-batch may be partial, as in network.py
            xb, yb = xe[k * m:(k + 1) * m], ye[k * m:(k + 1) * m]
            for group in opt.param_groups:
                group["lr"] = a.eta / len(xb)
            opt.zero_grad(set_to_none=True)
            (0.5 * ((net(xb) - yb) ** 2).sum()).backward()
            opt.step()
        seconds = time.perf_counter() - t0
        with torch.no_grad():
            right = int((net(tx).argmax(1) == torch.from_numpy(ty.astype(np.int64))).sum())
        print(json.dumps({**info, "epoch": e, "seconds": seconds, "samplesPerSecond": n / seconds, "testCorrect": right,
                          "testTotal": len(ty), "testAccuracy": right / len(ty)}), flush=True)


if __name__ == "__main__":
    main()
