#!/usr/bin/env python3
"""Cross-check a ShardNet checkpoint against an independent numpy forward pass.

usage: check_checkpoint.py CHECKPOINT DATASET EXPECTED [--count N] [--tolerance T]

Reads the checkpoint with h5py (layout: docs/file-formats.md, versions 1-3), takes the first N
(default 100) rows of /test/images from DATASET (uint8 scaled as float32(v) / 255, or float32 as
stored), computes a = f(W a + b) layer by layer in float64 -- f the hidden activation (sigmoid,
tanh or relu) for the hidden layers, and the output layer's function (sigmoid, or a softmax)
for the last -- and compares the outputs with the (N, sizes[-1]) float64 dataset `outputs` in
EXPECTED (written by ShardNet). Versions 1 and 2 are sigmoid throughout; version 3 names the
functions in the root attributes `activation` and `output_layer`, and each /layers/<i> group's
`activation` attribute must agree with them. Exits 0 when every output agrees within T
(default 1e-5), 1 on a mismatch, 2 when a file is malformed.
"""
import argparse
import sys

import h5py
import numpy as np


def fail(code, message):
    print(f"check_checkpoint: {message}", file=sys.stderr)
    sys.exit(code)


ACTIVATIONS = {
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
}


def softmax(z):
    """Column-wise softmax of z (units, samples), shifted by each column's maximum."""
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


OUTPUT_LAYERS = {"sigmoid": ACTIVATIONS["sigmoid"], "softmax": softmax}


def text(value):
    """An HDF5 string attribute as str (h5py gives str or bytes depending on how it was stored)."""
    return value.decode() if isinstance(value, bytes) else value


def load_network(path):
    """(sizes, [(W, b, f)]) with W, b in float64 and f the layer's function."""
    with h5py.File(path, "r") as f:
        if text(f.attrs.get("format")) != "shardnet-checkpoint":
            fail(2, f"{path}: attribute 'format' is {f.attrs.get('format')!r}, not 'shardnet-checkpoint'")
        version = int(f.attrs.get("version", 0))
        if version not in (1, 2, 3):
            fail(2, f"{path}: attribute 'version' is {version}; this script reads versions 1-3")
        activation = text(f.attrs.get("activation"))
        if version >= 3:
            output_layer = text(f.attrs.get("output_layer"))
            if activation not in ACTIVATIONS:
                fail(2, f"{path}: activation {activation!r} is not one of {sorted(ACTIVATIONS)}")
            if output_layer not in OUTPUT_LAYERS:
                fail(2, f"{path}: output_layer {output_layer!r} is not one of {sorted(OUTPUT_LAYERS)}")
        else:
            if activation != "sigmoid":
                fail(2, f"{path}: activation {activation!r} is not 'sigmoid' (version {version})")
            output_layer = "sigmoid"
        sizes = [int(s) for s in f.attrs["sizes"]]
        layers = []
        for i in range(len(sizes) - 1):
            name = output_layer if i == len(sizes) - 2 else activation
            if version >= 3:
                stored = text(f[f"layers/{i}"].attrs.get("activation"))
                if stored != name:
                    fail(2, f"{path}: /layers/{i}: attribute 'activation' is {stored!r}, the root attributes make it {name!r}")
            w = f[f"layers/{i}/weights"]
            b = f[f"layers/{i}/biases"]
            if w.dtype != np.float32 or b.dtype != np.float32:
                fail(2, f"{path}: /layers/{i}: dtype {w.dtype}/{b.dtype}, expected float32")
            if w.shape != (sizes[i + 1], sizes[i]) or b.shape != (sizes[i + 1],):
                fail(2, f"{path}: /layers/{i}: shapes {w.shape} {b.shape} disagree with sizes {sizes}")
            function = OUTPUT_LAYERS[name] if i == len(sizes) - 2 else ACTIVATIONS[name]
            layers.append((w[...].astype(np.float64), b[...].astype(np.float64), function))
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
    for w, b, function in layers:
        a = function(w @ a + b[:, None])
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
