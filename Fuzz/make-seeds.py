#!/usr/bin/env python3
"""Regenerates the fuzzers' seed corpora (tiny valid files) in Fuzz/corpus/{idx,hdf5}.
Deterministic; needs numpy and h5py. Run from anywhere: python3 Fuzz/make-seeds.py"""
import gzip, io, os, struct
import h5py
import numpy as np

os.chdir(os.path.dirname(os.path.abspath(__file__)))
r = np.random.default_rng(7)
LV = ("earliest", "v110")  # readable by libhdf5 1.10


def idx(a):
    a = np.asarray(a, np.uint8)
    return struct.pack(">I", 0x800 | a.ndim) + b"".join(struct.pack(">I", d) for d in a.shape) + a.tobytes()


def gz(b):
    o = io.BytesIO()
    with gzip.GzipFile(fileobj=o, mode="wb", mtime=0) as g:
        g.write(b)
    return o.getvalue()


def put(path, data):
    with open(path, "wb") as f:
        f.write(data)


C = "corpus/idx/"
os.makedirs(C, exist_ok=True)
imgs = r.integers(0, 256, (3, 4, 4), dtype=np.uint8)
labs = np.array([0, 2, 1], np.uint8)
put(C + "images-3x4x4", idx(imgs))
put(C + "labels-3", idx(labs))
put(C + "images-3x4x4.gz", gz(idx(imgs)))
put(C + "labels-3.gz", gz(idx(labs)))
put(C + "images-2x28x28.gz", gz(idx(r.integers(0, 256, (2, 28, 28), dtype=np.uint8))))
two = idx(np.array([5, 7], np.uint8))
put(C + "labels-2-two-members.gz", gz(two[:6]) + gz(two[6:]))

H = "corpus/hdf5/"
os.makedirs(H, exist_ok=True)


def dataset(path, gzipped, floats=False):
    with h5py.File(path, "w", libver=LV) as f:
        f.attrs["classes"] = np.int64(3)
        f.attrs["source"] = "fuzz seed"
        for name, n in (("train", 6), ("test", 3)):
            g = f.create_group(name)
            im = r.integers(0, 256, (n, 16), dtype=np.uint8)
            if floats:
                im = (im / 255).astype(np.float32)
            lab = (np.arange(n) % 3).astype(np.uint8)
            if gzipped:
                g.create_dataset("images", data=im, compression="gzip", compression_opts=4, chunks=(n, 16))
                g.create_dataset("labels", data=lab, compression="gzip", compression_opts=4, chunks=(n,))
            else:
                g.create_dataset("images", data=im)
                g.create_dataset("labels", data=lab)


def checkpoint(path, training):
    sizes = [4, 3, 2]
    with h5py.File(path, "w", libver=LV) as f:
        f.attrs["format"] = "shardnet-checkpoint"
        f.attrs["version"] = np.int64(1)
        f.attrs["sizes"] = np.array(sizes, np.int64)
        f.attrs["cost"] = "cross-entropy"
        f.attrs["activation"] = "sigmoid"
        for i in range(2):
            g = f.create_group(f"layers/{i}")
            g.create_dataset("weights", data=r.standard_normal((sizes[i + 1], sizes[i])).astype(np.float32))
            g.create_dataset("biases", data=r.standard_normal(sizes[i + 1]).astype(np.float32))
        if training:
            t = f.create_group("training")
            a = t.attrs
            a["epochs_completed"] = np.int64(2)
            a["seed"] = np.int64(1)
            a["generator_state"] = np.array([1, 2, 3, 4], np.int64)
            a["eta"] = 0.5
            a["lambda"] = 0.0
            a["mini_batch_size"] = np.int64(2)
            a["shards"] = np.int64(1)
            a["initialization"] = "scaled"
            h = t.create_group("history")
            h["epoch"] = np.array([1, 2], np.int64)
            h["test_correct"] = np.array([1, 2], np.int64)
            h["test_total"] = np.array([3, 3], np.int64)
            for k in ("training_cost", "test_cost", "seconds", "samples_per_second"):
                h[k] = np.array([0.5, 0.25])


dataset(H + "dataset-gzip.h5", True)
dataset(H + "dataset-contiguous.h5", False)
dataset(H + "dataset-float32.h5", False, True)
checkpoint(H + "checkpoint.h5", False)
checkpoint(H + "checkpoint-training.h5", True)
