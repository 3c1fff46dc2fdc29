#!/usr/bin/env python3
"""Load a network saved in network2.py's JSON format and run its feedforward with numpy.

Nielsen's network2.py (Neural Networks and Deep Learning, ch. 3) saves a network as JSON:

    {"sizes":   [n_0, n_1, ..., n_L],
     "weights": one matrix per layer, n_(l+1) rows of n_l numbers (w[j][k]: input k -> neuron j),
     "biases":  one column vector per layer, n_(l+1) one-element lists,
     "cost":    "QuadraticCost" or "CrossEntropyCost"}

and its load() rebuilds the network from those four keys. Here the feedforward is the book's
a' = sigmoid(w a + b), layer after layer, on column vectors, in float64. Written from that
description (this is not network2.py).

usage: network2_json.py MODEL.json INPUTS.h5 OUTPUTS.h5
    INPUTS.h5 holds a float dataset `images` (N, n_0); OUTPUTS.h5 gets `outputs` (N, n_L) float64.
usage: network2_json.py MODEL.json
    prints the sizes and cost.
Exits 2 with one line on stderr when the JSON is malformed.
"""
import json
import sys

import numpy as np


def fail(message):
    print(f"network2_json: {message}", file=sys.stderr)
    sys.exit(2)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class Network:
    def __init__(self, sizes, weights, biases, cost):
        self.sizes = sizes
        self.weights = weights
        self.biases = biases
        self.cost = cost

    def feedforward(self, a):
        """a: a column vector (n_0, 1). Returns the output column vector (n_L, 1)."""
        for w, b in zip(self.weights, self.biases):
            a = sigmoid(np.dot(w, a) + b)
        return a


def load(path):
    with open(path) as f:
        data = json.load(f)
    for key in ("sizes", "weights", "biases", "cost"):
        if key not in data:
            fail(f"{path}: missing key '{key}'")
    sizes = [int(s) for s in data["sizes"]]
    if data["cost"] not in ("QuadraticCost", "CrossEntropyCost"):
        fail(f"{path}: unknown cost {data['cost']!r}")
    weights = [np.array(w, dtype=np.float64) for w in data["weights"]]
    biases = [np.array(b, dtype=np.float64) for b in data["biases"]]
    if len(weights) != len(sizes) - 1 or len(biases) != len(sizes) - 1:
        fail(f"{path}: {len(weights)} weight and {len(biases)} bias layers for sizes {sizes}")
    for l, (w, b) in enumerate(zip(weights, biases)):
        if w.shape != (sizes[l + 1], sizes[l]):
            fail(f"{path}: weights[{l}] has shape {w.shape}, expected {(sizes[l + 1], sizes[l])}")
        if b.shape != (sizes[l + 1], 1):
            fail(f"{path}: biases[{l}] has shape {b.shape}, expected {(sizes[l + 1], 1)} (a column vector)")
    return Network(sizes, weights, biases, data["cost"])


def main(argv):
    if len(argv) not in (2, 4):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    net = load(argv[1])
    if len(argv) == 2:
        print(json.dumps({"sizes": net.sizes, "cost": net.cost}))
        return
    import h5py
    with h5py.File(argv[2], "r") as f:
        images = np.asarray(f["images"], dtype=np.float64)
    outputs = np.stack([net.feedforward(x.reshape(-1, 1)).ravel() for x in images])
    with h5py.File(argv[3], "w") as f:
        f.create_dataset("outputs", data=outputs)
    print(f"network2_json: {len(images)} samples through {'-'.join(map(str, net.sizes))} ({net.cost})")


if __name__ == "__main__":
    main(sys.argv)
