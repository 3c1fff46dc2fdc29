#!/usr/bin/env python3
"""JAX on the CPU as a peer in the comparison (scripts/compare-numpy.sh --jax): the same network,
cost and update as Nielsen's network.py and ShardNet — sigmoid layers, quadratic cost,
mini-batch SGD with w -> w - (eta/m) sum_x dC_x/dw — in JAX's fastest form: the gradient of the
summed cost by jax.grad, each epoch ONE jitted jax.lax.fori_loop over all its mini-batch steps,
float32. Only whole mini-batches are run (n // m steps), so the loop has one shape; for
Fashion-MNIST with m = 10 that is every sample.

Prints one JSON object per epoch on stdout, like scripts/network_py.py:
    {"epoch": 1, "seconds": ..., "samplesPerSecond": ..., "testCorrect": ..., "testTotal": ...,
     "testAccuracy": ..., "implementation": "JAX (CPU, jit + fori_loop)", "jax": "0.x"}
"seconds" is the epoch's training time alone, measured after a first compile (epoch 0 is run
once untimed to compile, on a copy of the parameters). By default each epoch's shuffled copy of
the data (numpy's x[order], then onto the device) is built before the clock starts, and the loop
slices contiguous mini-batches: JAX's fastest form. --gather-in-loop instead passes the epoch's
order into the jitted loop, which gathers each mini-batch's rows itself (jnp.take), as ShardNet's
step does — the timed epoch then includes the gather ("gather": "in loop" in the JSON).

    scripts/network_jax.py [DIR] [--layers 784,30,10] [--epochs 1] [--batch-size 10] [--eta 3.0] [--seed 1]
                           [--gather-in-loop]
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from network_py import DEFAULT_DIR, read_images, read_labels  # noqa: E402  (the same IDX reader)

import numpy as np  # noqa: E402

try:
    import jax  # noqa: E402
    import jax.numpy as jnp  # noqa: E402
except ImportError:
    sys.exit("network_jax.py: jax is not installed (pip install jax)")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data", nargs="?", default=DEFAULT_DIR)
    p.add_argument("--layers", default="784,30,10")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=10)
    p.add_argument("--eta", type=float, default=3.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--gather-in-loop", action="store_true")
    a = p.parse_args()
    sizes = [int(s) for s in a.layers.split(",")]
    x = read_images(a.data, "train-images-idx3-ubyte").astype(np.float32)
    y = read_labels(a.data, "train-labels-idx1-ubyte")
    tx = read_images(a.data, "t10k-images-idx3-ubyte").astype(np.float32)
    ty = read_labels(a.data, "t10k-labels-idx1-ubyte")
    x, tx = x.reshape(len(x), -1), tx.reshape(len(tx), -1)   # already byte / 255
    n, m, eta = len(x), a.batch_size, np.float32(a.eta)
    steps = n // m
    onehot = np.eye(sizes[-1], dtype=np.float32)[y]
    rng = np.random.default_rng(a.seed)
    params = [(jnp.asarray(rng.standard_normal((o, i)), jnp.float32), jnp.asarray(rng.standard_normal(o), jnp.float32))
              for i, o in zip(sizes[:-1], sizes[1:])]

    def forward(params, a):
        for w, b in params:
            a = jax.nn.sigmoid(a @ w.T + b)
        return a

    def cost(params, xb, yb):   # summed quadratic cost of the mini-batch
        return 0.5 * jnp.sum((forward(params, xb) - yb) ** 2)

    grad = jax.grad(cost)

    def sgd(params, xb, yb):   # one mini-batch step: w <- w - (eta/m) * dC/dw
        g = grad(params, xb, yb)
        return [(w - (eta / m) * gw, b - (eta / m) * gb) for (w, b), (gw, gb) in zip(params, g)]

    @jax.jit
    def epoch(params, xs, ys):
        def step(k, params):
            return sgd(params, jax.lax.dynamic_slice_in_dim(xs, k * m, m), jax.lax.dynamic_slice_in_dim(ys, k * m, m))
        return jax.lax.fori_loop(0, steps, step, params)

    @jax.jit
    def epoch_gather(params, xs, ys, order):
        def step(k, params):
            rows = jax.lax.dynamic_slice_in_dim(order, k * m, m)
            return sgd(params, jnp.take(xs, rows, axis=0), jnp.take(ys, rows, axis=0))
        return jax.lax.fori_loop(0, steps, step, params)

    @jax.jit
    def correct(params, xs, labels):
        return jnp.sum(jnp.argmax(forward(params, xs), axis=1) == labels)

    xs, ys = jnp.asarray(x), jnp.asarray(onehot)
    if a.gather_in_loop:   # compile once, untimed
        jax.block_until_ready(epoch_gather(params, xs, ys, jnp.arange(n, dtype=jnp.int32)))
    else:
        jax.block_until_ready(epoch(params, xs, ys))
    for e in range(1, a.epochs + 1):
        order = rng.permutation(n)
        if a.gather_in_loop:
            rows = jnp.asarray(order, dtype=jnp.int32)
            t0 = time.perf_counter()
            params = jax.block_until_ready(epoch_gather(params, xs, ys, rows))
        else:
            xe, ye = jnp.asarray(x[order]), jnp.asarray(onehot[order])
            t0 = time.perf_counter()
            params = jax.block_until_ready(epoch(params, xe, ye))
        seconds = time.perf_counter() - t0
        right = int(correct(params, jnp.asarray(tx), jnp.asarray(ty)))
        print(json.dumps({"epoch": e, "seconds": seconds, "samplesPerSecond": steps * m / seconds,
                          "trainingSamples": steps * m, "testCorrect": right, "testTotal": len(ty),
                          "testAccuracy": right / len(ty), "implementation": "JAX (CPU, jit + fori_loop)",
                          "jax": jax.__version__, "gather": "in loop" if a.gather_in_loop else "before the clock"}),
              flush=True)


if __name__ == "__main__":
    main()
