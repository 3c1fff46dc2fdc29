#!/usr/bin/env python3
"""Writes a large synthetic dataset in ShardNet's format (docs/file-formats.md), for the
streaming benchmark (scripts/stream-bench): uint8 images (N, 784) in chunks of 1,024 rows
(EpochOrder.blockRows, what `convert` writes), uncompressed by default so a stream's reads cost a
copy rather than inflating gzip; uint8 labels; a 10,000-sample /test split.

Each class c has a random 28×28 template; a sample is its class template plus noise, clipped to
0…255, so the data are learnable (test accuracy rises) yet cheap to make. Deterministic for a seed.

    scripts/make-synthetic-dataset.py --samples 2000000 --output /tmp/synthetic-2m.h5
"""
import argparse
import os

import h5py
import numpy as np

FEATURES = 784
CLASSES = 10
BLOCK = 1024  # EpochOrder.blockRows


def write_split(group, rng, templates, count, gzip):
    images = group.create_dataset(
        "images", shape=(count, FEATURES), dtype=np.uint8, chunks=(min(count, BLOCK), FEATURES),
        compression="gzip" if gzip else None, compression_opts=4 if gzip else None)
    labels = np.empty(count, dtype=np.uint8)
    step = 64 * BLOCK
    for start in range(0, count, step):
        n = min(step, count - start)
        y = rng.integers(0, CLASSES, size=n, dtype=np.uint8)
        noise = rng.integers(-90, 91, size=(n, FEATURES), dtype=np.int16)
        x = np.clip(templates[y] + noise, 0, 255).astype(np.uint8)
        images[start:start + n] = x
        labels[start:start + n] = y
    group.create_dataset("labels", data=labels)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=2_000_000, help="training samples (default 2,000,000)")
    parser.add_argument("--test", type=int, default=10_000, help="test samples (default 10,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--gzip", action="store_true", help="gzip level 4, as convert writes (default: uncompressed)")
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    templates = rng.integers(0, 256, size=(CLASSES, FEATURES)).astype(np.int16)
    temporary = args.output + ".tmp"
    with h5py.File(temporary, "w") as f:
        f.attrs["classes"] = CLASSES
        f.attrs["source"] = f"synthetic: {CLASSES} random templates + uniform noise ±90, seed {args.seed}"
        write_split(f.create_group("train"), rng, templates, args.samples, args.gzip)
        write_split(f.create_group("test"), rng, templates, args.test, args.gzip)
    os.replace(temporary, args.output)
    print(f"wrote {args.output}: train {args.samples:,} × {FEATURES} uint8 ({args.samples * FEATURES / 1e9:.2f} GB), test {args.test:,}")


if __name__ == "__main__":
    main()
