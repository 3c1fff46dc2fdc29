#!/usr/bin/env python3
"""Nielsen's network.py (Neural Networks and Deep Learning, chapters 1-2), as the baseline
that ShardNet is compared with: one sample at a time, column vectors, float64, quadratic cost,
mini-batch SGD. Written from the book's equations:

    feedforward       a^l = sigmoid(w^l a^(l-1) + b^l)                          (eq. 25)
    output error      delta^L = (a^L - y) * sigmoid'(z^L)                       (BP1)
    backpropagation   delta^l = ((w^(l+1))^T delta^(l+1)) * sigmoid'(z^l)       (BP2)
    gradients         dC/db^l = delta^l,  dC/dw^l = delta^l (a^(l-1))^T         (BP3, BP4)
    update            w -> w - (eta/m) sum_x dC_x/dw,  b -> b - (eta/m) sum_x dC_x/db   (eq. 20, 21)

Every epoch shuffles the training data, cuts it into mini-batches of m samples (the last one
may be shorter and is averaged over its own size, as in network.py), runs one update per
mini-batch, then counts correct test predictions (argmax of the output layer).

Reads an MNIST-format folder (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz],
t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]); default: Fashion-MNIST at
/usr/share/datasets/fashion-mnist. Pixels are scaled to [0, 1] (byte / 255).

Prints one JSON object per epoch on stdout:
    {"epoch": 1, "seconds": ..., "evalSeconds": ..., "samplesPerSecond": ..., "trainingSamples": ...,
     "testCorrect": ..., "testTotal": ..., "testAccuracy": ..., "implementation": "network.py (numpy)"}
where "seconds" is the training time of the epoch alone (as ShardNet's --log reports it).

    scripts/network_py.py [DIR] [--layers 784,30,10] [--epochs 1] [--batch-size 10]
                          [--eta 3.0] [--limit N] [--test-limit N] [--seed 1]
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import numpy as np

DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"


# ---------------------------------------------------------------- IDX files

def open_idx(folder, stem):
    """Opens folder/stem, or folder/stem.gz."""
    for name in (stem, stem + ".gz"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            return gzip.open(path, "rb") if name.endswith(".gz") else open(path, "rb")
    sys.exit(f"network_py.py: {folder}: neither {stem} nor {stem}.gz exists")


def read_images(folder, stem, limit=None):
    with open_idx(folder, stem) as f:
        magic, count, rows, cols = struct.unpack(">IIII", f.read(16))
        if magic != 2051:
            sys.exit(f"network_py.py: {stem}: magic {magic}, expected 2051 (IDX images)")
        if limit is not None:
            count = min(count, limit)
        data = np.frombuffer(f.read(count * rows * cols), dtype=np.uint8)
    if data.size != count * rows * cols:
        sys.exit(f"network_py.py: {stem}: file is truncated")
    return data.reshape(count, rows * cols).astype(np.float64) / 255.0


def read_labels(folder, stem, limit=None):
    with open_idx(folder, stem) as f:
        magic, count = struct.unpack(">II", f.read(8))
        if magic != 2049:
            sys.exit(f"network_py.py: {stem}: magic {magic}, expected 2049 (IDX labels)")
        if limit is not None:
            count = min(count, limit)
        data = np.frombuffer(f.read(count), dtype=np.uint8)
    if data.size != count:
        sys.exit(f"network_py.py: {stem}: file is truncated")
    return data.astype(np.int64)


def load(folder, limit, test_limit):
    """network.py's format: training pairs (x (784,1), one-hot y (10,1)); test pairs (x, label)."""
    train_x = read_images(folder, "train-images-idx3-ubyte", limit)
    train_y = read_labels(folder, "train-labels-idx1-ubyte", limit)
    test_x = read_images(folder, "t10k-images-idx3-ubyte", test_limit)
    test_y = read_labels(folder, "t10k-labels-idx1-ubyte", test_limit)
    classes = 10

    def one_hot(j):
        e = np.zeros((classes, 1))
        e[j] = 1.0
        return e

    training = [(x.reshape(-1, 1), one_hot(y)) for x, y in zip(train_x, train_y)]
    test = [(x.reshape(-1, 1), int(y)) for x, y in zip(test_x, test_y)]
    return training, test


# ---------------------------------------------------------------- the network

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1.0 - s)


class Network:
    def __init__(self, sizes, rng):
        self.sizes = sizes
        self.num_layers = len(sizes)
        # Biases and weights ~ N(0, 1); the input layer has no biases.
        self.biases = [rng.standard_normal((n, 1)) for n in sizes[1:]]
        self.weights = [rng.standard_normal((n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(w @ a + b)
        return a

    def SGD(self, training, epochs, m, eta, test, rng, on_epoch):
        n = len(training)
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            rng.shuffle(training)
            for k in range(0, n, m):
                self.update_mini_batch(training[k:k + m], eta)
            seconds = time.perf_counter() - start
            start = time.perf_counter()
            correct = self.evaluate(test) if test else 0
            on_epoch(epoch, seconds, time.perf_counter() - start, correct)

    def update_mini_batch(self, batch, eta):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in batch:
            delta_b, delta_w = self.backprop(x, y)
            nabla_b = [nb + d for nb, d in zip(nabla_b, delta_b)]
            nabla_w = [nw + d for nw, d in zip(nabla_w, delta_w)]
        rate = eta / len(batch)
        self.weights = [w - rate * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - rate * nb for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        """Gradient of the quadratic cost C_x = ||y - a^L||^2 / 2 for one sample."""
        activation, activations, zs = x, [x], []
        for b, w in zip(self.biases, self.weights):
            z = w @ activation + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        nabla_b = [None] * len(self.biases)
        nabla_w = [None] * len(self.weights)
        delta = (activations[-1] - y) * sigmoid_prime(zs[-1])             # BP1
        nabla_b[-1] = delta                                               # BP3
        nabla_w[-1] = delta @ activations[-2].T                           # BP4
        for l in range(2, self.num_layers):
            delta = (self.weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])  # BP2
            nabla_b[-l] = delta
            nabla_w[-l] = delta @ activations[-l - 1].T
        return nabla_b, nabla_w

    def evaluate(self, test):
        return sum(int(np.argmax(self.feedforward(x)) == y) for x, y in test)


# ---------------------------------------------------------------- command line

def main():
    p = argparse.ArgumentParser(description="Nielsen's network.py (numpy, float64) on an MNIST-format folder.")
    p.add_argument("data", nargs="?", default=DEFAULT_DIR, help=f"MNIST-format folder (default {DEFAULT_DIR})")
    p.add_argument("--layers", default="784,30,10", help="layer sizes, e.g. 784,30,10")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=10)
    p.add_argument("--eta", type=float, default=3.0)
    p.add_argument("--limit", type=int, default=None, help="use only the first N training samples")
    p.add_argument("--test-limit", type=int, default=None, help="use only the first N test samples")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()

    sizes = [int(s) for s in args.layers.replace("-", ",").split(",")]
    if len(sizes) < 2 or min(sizes) < 1:
        sys.exit("network_py.py: --layers needs at least two positive sizes, e.g. 784,30,10")
    if args.epochs < 1 or args.batch_size < 1 or not args.eta > 0:
        sys.exit("network_py.py: --epochs and --batch-size must be >= 1 and --eta > 0")

    training, test = load(args.data, args.limit, args.test_limit)
    if not training:
        sys.exit("network_py.py: no training samples")
    if sizes[0] != training[0][0].shape[0]:
        sys.exit(f"network_py.py: the data has {training[0][0].shape[0]} features per sample, but --layers starts with {sizes[0]}")
    rng = np.random.default_rng(args.seed)
    net = Network(sizes, rng)

    def on_epoch(epoch, seconds, eval_seconds, correct):
        total = len(test)
        print(json.dumps({
            "epoch": epoch,
            "seconds": seconds,
            "evalSeconds": eval_seconds,
            "samplesPerSecond": len(training) / max(seconds, 1e-9),
            "trainingSamples": len(training),
            "testCorrect": correct,
            "testTotal": total,
            "testAccuracy": correct / total if total else 0.0,
            "implementation": "network.py (numpy)",
            "numpy": np.__version__,
        }), flush=True)

    net.SGD(training, args.epochs, args.batch_size, args.eta, test, rng, on_epoch)


if __name__ == "__main__":
    main()
