#!/usr/bin/env python3
"""Cross-check a ShardNet checkpoint against an independent numpy forward pass.

usage: check_checkpoint.py CHECKPOINT DATASET EXPECTED [--count N] [--tolerance T]

Reads the checkpoint with h5py (layout: docs/file-formats.md), takes the first N (default 100)
rows of /test/images from DATASET (uint8 scaled as float32(v) / 255, or float32 as stored),
computes a = sigmoid(W a + b) layer by layer in float64, and compares the outputs with the
(N, sizes[-1]) float64 dataset `outputs` in EXPECTED (written by ShardNet). Exits 0 when every
output agrees within T (default 1e-5), 1 on a mismatch, 2 when a file is malformed.
"""
import argparse
import sys

import h5py
import numpy as np


def fail(code, message):
    print(f"check_checkpoint: {message}", file=sys.stderr)
    sys.exit(code)


def load_network(path):
    with h5py.File(path, "r") as f:
        if f.attrs.get("format") != "shardnet-checkpoint":
            fail(2, f"{path}: attribute 'format' is {f.attrs.get('format')!r}, not 'shardnet-checkpoint'")
        if f.attrs.get("activation") != "sigmoid":
            fail(2, f"{path}: activation {f.attrs.get('activation')!r} is not 'sigmoid'")
        sizes = [int(s) for s in f.attrs["sizes"]]
        layers = []
        for i in range(len(sizes) - 1):
            w = f[f"layers/{i}/weights"]
            b = f[f"layers/{i}/biases"]
            if w.dtype != np.float32 or b.dtype != np.float32:
                fail(2, f"{path}: /layers/{i}: dtype {w.dtype}/{b.dtype}, expected float32")
            if w.shape != (sizes[i + 1], sizes[i]) or b.shape != (sizes[i + 1],):
                fail(2, f"{path}: /layers/{i}: shapes {w.shape} {b.shape} disagree with sizes {sizes}")
            layers.append((w[...].astype(np.float64), b[...].astype(np.float64)))
        return sizes, layers


def load_images(path, count, features):
    with h5py.File(path, "r") as f:
        if "test/images" not in f:
            fail(2, f"{path}: no /test/images")
        images = f["test/images"]
        n = min(count, images.shape[0])
        x = images[:n].reshape(n, -1)
        if x.shape[1] != features:
            fail(2, f"{path}: /test/images has {x.shape[1]} features, the network takes {features}")
        if x.dtype == np.uint8:
            x = x.astype(np.float32) / np.float32(255)  # ShardNet's scaling: Float(v) / 255
        return x.astype(np.float64)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint")
    parser.add_argument("dataset")
    parser.add_argument("expected")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--tolerance", type=float, default=1e-5)
    args = parser.parse_args()

    sizes, layers = load_network(args.checkpoint)
    x = load_images(args.dataset, args.count, sizes[0])
    a = x.T  # (features, n): one column per sample, as in network.py
    for w, b in layers:
        a = 1.0 / (1.0 + np.exp(-(w @ a + b[:, None])))
    outputs = a.T  # (n, sizes[-1])

    with h5py.File(args.expected, "r") as f:
        expected = f["outputs"][...]
    if expected.shape != outputs.shape:
        fail(1, f"expected outputs have shape {expected.shape}, numpy computed {outputs.shape}")
    diff = np.abs(expected - outputs)
    worst = np.unravel_index(np.argmax(diff), diff.shape) if diff.size else None
    if not np.all(np.isfinite(expected)) or (diff.size and diff[worst] > args.tolerance):
        fail(1, f"mismatch: sample {worst[0]} output {worst[1]}: ShardNet {expected[worst]!r}, "
                f"numpy {outputs[worst]!r} (|diff| {diff[worst]:.3g} > {args.tolerance})")
    print(f"check_checkpoint: OK: {outputs.shape[0]} samples x {outputs.shape[1]} outputs agree within "
          f"{args.tolerance} (max |diff| {diff.max() if diff.size else 0:.3g})")


if __name__ == "__main__":
    main()
