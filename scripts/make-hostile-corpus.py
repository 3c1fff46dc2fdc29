#!/usr/bin/env python3
"""Writes ShardNet's hostile-input corpus: malformed datasets, checkpoints and MNIST IDX files.

    scripts/make-hostile-corpus.py OUTDIR

Deterministic (fixed seeds). Every case is one file in OUTDIR whose name says what is wrong,
listed in OUTDIR/manifest.tsv with tab-separated columns

    file    kind (dataset | checkpoint | idx-images | idx-labels | import)    phrase    slot

`phrase` is a case-insensitive fragment the one-line error should contain (empty: any clear
error naming the file will do). `slot` says which input of `shardnet convert` an IDX case
replaces (train or test); it is empty for the other cases. `import` cases are models for
`shardnet import` (Keras 3 .keras archives, legacy Keras .h5, network2.py JSON). Valid reference files (a small dataset,
a 784-10-10 checkpoint and four small IDX files) are written to OUTDIR/_valid/; they are not
cases. `scripts/hostile-check` runs the `shardnet` CLI on every case. Needs numpy and h5py.
Layouts: docs/file-formats.md.
"""
import gzip
import io
import json
import os
import struct
import sys
import zipfile
import zlib

import h5py
import numpy as np

SEED = 20240601
# Files must be readable by the system libhdf5 (1.10) that ShardNet links against.
LIBVER = ("earliest", "v110")

TRAIN_N, TEST_N, FEATURES, CLASSES = 60, 20, 784, 10


def rng(offset=0):
    return np.random.default_rng(SEED + offset)


class Corpus:
    def __init__(self, out):
        self.out = out
        self.rows = []
        os.makedirs(os.path.join(out, "_valid"), exist_ok=True)

    def path(self, name):
        return os.path.join(self.out, name)

    def add(self, name, kind, phrase="", slot=""):
        assert kind in ("dataset", "checkpoint", "idx-images", "idx-labels", "import"), kind
        assert "\t" not in phrase and os.path.exists(self.path(name)), name
        assert name not in [r[0] for r in self.rows], name
        self.rows.append((name, kind, phrase, slot))

    def write_bytes(self, name, data, kind, phrase="", slot=""):
        with open(self.path(name), "wb") as f:
            f.write(data)
        self.add(name, kind, phrase, slot)

    def finish(self):
        with open(self.path("manifest.tsv"), "w") as f:
            f.write("file\tkind\tphrase\tslot\n")
            for row in self.rows:
                f.write("\t".join(row) + "\n")


# --------------------------------------------------------------------------------------------
# Valid content

def images_u8(n, offset=0):
    return rng(offset).integers(0, 256, size=(n, FEATURES), dtype=np.uint8)


def labels_u8(n, offset=0):
    lab = rng(offset + 1).integers(0, CLASSES, size=n, dtype=np.uint8)
    lab[0] = CLASSES - 1  # so max(label) + 1 == CLASSES
    return lab


def write_dataset(path, *, train=None, test=None, classes=CLASSES, gzip_level=4, extra=None, root_attrs=True):
    """A dataset as `shardnet convert` writes it; `train`/`test` are (images, labels) or None.
    `extra(f)` may edit the open file before it is closed."""
    with h5py.File(path, "w", libver=LIBVER) as f:
        if root_attrs:
            f.attrs["classes"] = np.int64(classes)
            f.attrs["source"] = "hostile corpus"
        for name, split in (("train", train), ("test", test)):
            if split is None:
                continue
            imgs, labs = split
            g = f.create_group(name)
            kw = {}
            if gzip_level is not None and imgs.size > 0 and imgs.dtype != object:
                kw = dict(compression="gzip", compression_opts=gzip_level, chunks=True)
            g.create_dataset("images", data=imgs, **kw)
            g.create_dataset("labels", data=labs)
        if extra:
            extra(f)


def valid_splits():
    return (images_u8(TRAIN_N), labels_u8(TRAIN_N)), (images_u8(TEST_N, 10), labels_u8(TEST_N, 10))


SIZES = [784, 10, 10]


def valid_params(sizes=SIZES, offset=100):
    r = rng(offset)
    return [(r.standard_normal((sizes[i + 1], sizes[i])).astype(np.float32),
             r.standard_normal(sizes[i + 1]).astype(np.float32)) for i in range(len(sizes) - 1)]


def write_checkpoint(path, *, sizes=SIZES, params=None, attrs=None, drop_attrs=(), extra=None, training=False):
    """A checkpoint as `Checkpoint.save` writes it; `attrs` overrides root attributes,
    `params` replaces the (weights, biases) list, `extra(f)` edits the file before closing."""
    params = valid_params(sizes) if params is None else params
    root = {"format": "shardnet-checkpoint", "version": np.int64(1), "sizes": np.array(sizes, dtype=np.int64),
            "cost": "quadratic", "activation": "sigmoid"}
    root.update(attrs or {})
    with h5py.File(path, "w", libver=LIBVER) as f:
        for k, v in root.items():
            if k not in drop_attrs:
                f.attrs[k] = v
        for i, (w, b) in enumerate(params):
            g = f.create_group(f"layers/{i}")
            g.create_dataset("weights", data=w)
            g.create_dataset("biases", data=b)
        if training:
            t = f.create_group("training")
            t.attrs["epochs_completed"] = np.int64(1)
            t.attrs["seed"] = np.int64(1)
            t.attrs["generator_state"] = np.array([1, 2, 3, 4], dtype=np.int64)
            t.attrs["eta"] = 3.0
            t.attrs["lambda"] = 0.0
            t.attrs["mini_batch_size"] = np.int64(10)
            t.attrs["shards"] = np.int64(2)
            t.attrs["initialization"] = "gaussian"
            h = t.create_group("history")
            for name, v in (("epoch", np.array([1], np.int64)), ("training_cost", np.array([0.5])),
                            ("test_correct", np.array([10], np.int64)), ("test_total", np.array([20], np.int64)),
                            ("test_cost", np.array([0.5])), ("seconds", np.array([0.1])),
                            ("samples_per_second", np.array([600.0]))):
                h.create_dataset(name, data=v)
        if extra:
            extra(f)


def idx_bytes(arr, magic=None):
    arr = np.asarray(arr, dtype=np.uint8)
    if magic is None:
        magic = 0x0800 | arr.ndim
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in arr.shape) + arr.tobytes()


def idx_header(magic, dims):
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims)


def gz(data, level=9):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=level, mtime=0) as g:
        g.write(data)
    return buf.getvalue()


IDX_TRAIN_N, IDX_TEST_N = 20, 10


def idx_images(n, offset=0, rows=28, cols=28):
    return rng(200 + offset).integers(0, 256, size=(n, rows, cols), dtype=np.uint8)


def idx_labels(n, offset=0):
    lab = rng(300 + offset).integers(0, CLASSES, size=n, dtype=np.uint8)
    lab[0] = CLASSES - 1
    return lab


# --------------------------------------------------------------------------------------------
# Reference check used to keep only bit flips that really break a file

def h5_fully_readable(path):
    """True when h5py can open `path` and read every attribute and dataset in it."""
    try:
        with h5py.File(path, "r") as f:
            def visit(obj):
                for k in obj.attrs:
                    _ = obj.attrs[k]
                for k in obj:
                    item = obj[k]
                    if isinstance(item, h5py.Dataset):
                        _ = item[()]
                        for a in item.attrs:
                            _ = item.attrs[a]
                    else:
                        visit(item)
            visit(f)
        return True
    except Exception:
        return False


def flipped(data, positions, seed):
    """`data` with one random bit flipped at each byte position (seeded)."""
    r = np.random.default_rng(seed)
    b = bytearray(data)
    for p in positions:
        b[p] ^= 1 << int(r.integers(0, 8))
    return bytes(b)


def chunk_span(path, dataset):
    """(offset, size) in the file of the first chunk of `dataset`."""
    with h5py.File(path, "r") as f:
        info = f[dataset].id.get_chunk_info(0)
        return info.byte_offset, info.size


# --------------------------------------------------------------------------------------------

def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make-hostile-corpus.py OUTDIR")
    c = Corpus(sys.argv[1])
    V = lambda name: os.path.join(c.out, "_valid", name)

    # Valid references.
    train, test = valid_splits()
    write_dataset(V("dataset.h5"), train=train, test=test)
    write_checkpoint(V("checkpoint.h5"), training=True)
    with open(V("train-images-idx3-ubyte"), "wb") as f:
        f.write(idx_bytes(idx_images(IDX_TRAIN_N)))
    with open(V("train-labels-idx1-ubyte"), "wb") as f:
        f.write(idx_bytes(idx_labels(IDX_TRAIN_N)))
    with open(V("t10k-images-idx3-ubyte.gz"), "wb") as f:
        f.write(gz(idx_bytes(idx_images(IDX_TEST_N, 1))))
    with open(V("t10k-labels-idx1-ubyte.gz"), "wb") as f:
        f.write(gz(idx_bytes(idx_labels(IDX_TEST_N, 1))))
    dataset_bytes = open(V("dataset.h5"), "rb").read()
    checkpoint_bytes = open(V("checkpoint.h5"), "rb").read()

    # ---- Not HDF5 at all
    c.write_bytes("empty.h5", b"", "dataset", "not an HDF5 file")
    c.write_bytes("empty-checkpoint.h5", b"", "checkpoint", "not an HDF5 file")
    c.write_bytes("text-file.h5", b"This is not HDF5.\nJust some text named .h5\n", "dataset", "not an HDF5 file")
    c.write_bytes("text-file-checkpoint.h5", b"format = shardnet-checkpoint\n", "checkpoint", "not an HDF5 file")
    c.write_bytes("hdf5-signature-only.h5", b"\x89HDF\r\n\x1a\n", "dataset")
    c.write_bytes("idx-file-named-h5.h5", idx_bytes(idx_labels(IDX_TRAIN_N)), "dataset", "not an HDF5 file")

    # ---- Truncated HDF5 (several cut points)
    n = len(dataset_bytes)
    for cut in (8, 64, 512, 2048, n // 2, n - 1):
        c.write_bytes(f"truncated-dataset-at-{cut}.h5", dataset_bytes[:cut], "dataset")
    m = len(checkpoint_bytes)
    for cut in (100, m // 3, m - 16):
        c.write_bytes(f"truncated-checkpoint-at-{cut}.h5", checkpoint_bytes[:cut], "checkpoint")

    # ---- Bit-flipped HDF5: superblock and compressed data. Flips that h5py still reads without
    # error are skipped (deterministically), so every kept file is really broken.
    def bitflip_cases(prefix, data, kind, region, count, first_seed):
        start, end = region
        kept, seed = 0, first_seed
        tmp = c.path(".flip-candidate.h5")
        while kept < count and seed < first_seed + 500:
            r = np.random.default_rng(seed)
            positions = sorted(set(int(p) for p in r.integers(start, end, size=2)))
            candidate = flipped(data, positions, seed)
            with open(tmp, "wb") as f:
                f.write(candidate)
            if not h5_fully_readable(tmp):
                name = f"{prefix}-seed{seed}-at-{'-'.join(map(str, positions))}.h5"
                os.replace(tmp, c.path(name))
                c.add(name, kind)
                kept += 1
            seed += 1
        if os.path.exists(tmp):
            os.remove(tmp)

    bitflip_cases("bitflip-superblock-dataset", dataset_bytes, "dataset", (0, 96), 4, 1)
    off, size = chunk_span(V("dataset.h5"), "/train/images")
    bitflip_cases("bitflip-gzip-chunk-dataset", dataset_bytes, "dataset", (off + 2, off + size - 4), 3, 1000)
    bitflip_cases("bitflip-superblock-checkpoint", checkpoint_bytes, "checkpoint", (0, 96), 2, 2000)
    # Object headers and B-trees: anywhere in the first 2 KiB of metadata.
    bitflip_cases("bitflip-metadata-checkpoint", checkpoint_bytes, "checkpoint", (96, 2048), 2, 3000)

    # Global heap (where variable-length strings such as 'source' and 'format' live) whose
    # free-space object has size 0: libhdf5 1.10's heap parser loops forever on it (found by
    # FuzzHDF5; Fuzz/regressions/hdf5/hang-*). The readers must not hang.
    def zero_free_space(data):
        b = bytearray(data)
        i = b.find(b"GCOL")
        assert i >= 0, "no global heap"
        end, j = i + struct.unpack("<Q", b[i + 8:i + 16])[0], i + 16
        while j < end:
            index, size = struct.unpack("<H", b[j:j + 2])[0], struct.unpack("<Q", b[j + 8:j + 16])[0]
            if index == 0:
                b[j + 8:j + 16] = bytes(8)
                return bytes(b)
            j += 16 + (size + 7) // 8 * 8
        raise AssertionError("no free-space object")
    # A heap object (the string 'sigmoid' / 'hostile corpus') whose size field says ~40 TB:
    # libhdf5 1.10's H5HG_read memcpy's that much and segfaults (found by FuzzHDF5).
    def huge_object(data, text):
        b = bytearray(data)
        i = b.find(b"GCOL")
        end, j = i + struct.unpack("<Q", b[i + 8:i + 16])[0], i + 16
        while j < end:
            index, size = struct.unpack("<H", b[j:j + 2])[0], struct.unpack("<Q", b[j + 8:j + 16])[0]
            if index != 0 and b[j + 16:j + 16 + size] == text:
                b[j + 8:j + 16] = struct.pack("<Q", size | (38 << 40))
                return bytes(b)
            if index == 0:
                break
            j += 16 + (size + 7) // 8 * 8
        raise AssertionError(f"no heap object {text!r}")
    c.write_bytes("global-heap-object-size-huge-checkpoint.h5", huge_object(checkpoint_bytes, b"sigmoid"), "checkpoint")
    c.write_bytes("global-heap-object-size-huge-dataset.h5", huge_object(dataset_bytes, b"hostile corpus"), "dataset")
    c.write_bytes("global-heap-free-space-zero-dataset.h5", zero_free_space(dataset_bytes), "dataset")
    c.write_bytes("global-heap-free-space-zero-checkpoint.h5", zero_free_space(checkpoint_bytes), "checkpoint")
    # A version 0 superblock pointing at a driver information block (appended at the end of the
    # file) that declares 2 GiB: libhdf5 1.10 zero-fills a buffer of that size before it finds
    # the file truncated (found by FuzzKerasH5; Fuzz/regressions/keras-h5/timeout-*).
    def huge_driver_info(data):
        b = bytearray(data)
        assert b[:8] == b"\x89HDF\r\n\x1a\n" and b[8] == 0 and b[13] == 8, "expected a version 0 superblock, 8-byte addresses"
        b[48:56] = struct.pack("<Q", len(data))  # base 24, free space 32, end of file 40, driver info 48
        return bytes(b) + struct.pack("<B3xI8s", 0, 0x7FFFFFFF, b"NCSAmult")
    c.write_bytes("superblock-driver-info-huge-dataset.h5", huge_driver_info(dataset_bytes), "dataset", "driver information block")
    c.write_bytes("superblock-driver-info-huge-checkpoint.h5", huge_driver_info(checkpoint_bytes), "checkpoint", "driver information block")

    # ---- Datasets: wrong shapes, types, values, structure
    def ds(name, phrase="", **kw):
        write_dataset(c.path(name), **kw)
        c.add(name, "dataset", phrase)

    imgs, labs = train
    ds("images-rank1.h5", "rank 1", train=(imgs.reshape(-1), labs), test=test)
    ds("images-rank4.h5", "rank 4", train=(imgs.reshape(TRAIN_N, 1, 28, 28), labs), test=test)
    ds("images-float64.h5", "dtype", train=(imgs.astype(np.float64) / 255, labs), test=test)
    ds("images-int16.h5", "dtype", train=(imgs.astype(np.int16), labs), test=test)
    ds("images-string.h5", "dtype", train=(np.full((TRAIN_N, FEATURES), b"x", dtype="S1"), labs),
       test=test, gzip_level=None)
    ds("zero-rows.h5", "zero rows", train=(np.zeros((0, FEATURES), np.uint8), np.zeros(0, np.uint8)), test=test, gzip_level=None)
    ds("zero-features.h5", "zero features", train=(np.zeros((TRAIN_N, 0), np.uint8), labs), test=test, gzip_level=None)
    bad = labs.copy(); bad[7] = CLASSES
    ds("labels-equal-classes.h5", "outside 0..<10", train=(imgs, bad), test=test)
    bad = labs.copy(); bad[3] = 255
    ds("labels-255.h5", "outside 0..<10", train=(imgs, bad), test=test)
    bad = labs.astype(np.int32); bad[5] = -1
    ds("labels-negative-int32.h5", "outside 0..<10", train=(imgs, bad), test=test)
    bad = labs.astype(np.int8); bad[0] = -128
    ds("labels-negative-int8.h5", "outside 0..<10", train=(imgs, bad), test=test)
    bad = labs.astype(np.uint64); bad[1] = np.uint64(2**64 - 1)
    ds("labels-uint64-max.h5", "", train=(imgs, bad), test=test)
    ds("labels-float32.h5", "integers", train=(imgs, labs.astype(np.float32)), test=test)
    bad = test[1].copy(); bad[TEST_N - 1] = CLASSES
    ds("test-labels-equal-classes.h5", "outside 0..<10", train=train, test=(test[0], bad))
    fimgs = imgs.astype(np.float32) / 255
    for name, value in (("nan", np.nan), ("posinf", np.inf), ("neginf", -np.inf), ("above-one", 1.5), ("negative", -0.25)):
        bad = fimgs.copy(); bad[4, 100] = value
        ds(f"pixels-float32-{name}.h5", "pixel 100 of sample 4", train=(bad, labs), test=test)
    ds("missing-train-labels.h5", "labels", train=train, test=test, extra=lambda f: f["train"].pop("labels"))
    ds("missing-train-images.h5", "images", train=train, test=test, extra=lambda f: f["train"].pop("images"))
    ds("missing-train-group.h5", "", train=None, test=test)
    def train_as_dataset(f):
        f.create_dataset("train", data=np.zeros(3))
    ds("train-is-a-dataset.h5", "", train=None, test=test, extra=train_as_dataset)
    ds("labels-fewer-than-images.h5", "expected (60)", train=(imgs, labs[:-1]), test=test)
    ds("labels-more-than-images.h5", "expected (60)", train=(imgs, np.concatenate([labs, labs[:1]])), test=test)
    ds("labels-rank2.h5", "", train=(imgs, labs.reshape(TRAIN_N, 1)), test=test)
    ds("test-features-differ.h5", "features", train=train, test=(test[0][:, :100], test[1]))
    ds("missing-classes-attribute.h5", "classes", train=train, test=test, root_attrs=False)
    ds("classes-zero.h5", "classes", train=train, test=test, classes=0)
    ds("classes-negative.h5", "classes", train=train, test=test, classes=-5)
    ds("classes-huge.h5", "classes", train=train, test=test, classes=2**40)
    def classes_string(f):
        f.attrs["classes"] = "ten"
    ds("classes-string.h5", "classes", train=train, test=test, extra=classes_string)
    # A declared size near the 2^31-value limit with no data written (chunks unallocated, so the
    # file is tiny and reads as fill values): must not allocate gigabytes.
    def huge_declared(f):
        g = f.create_group("train")
        g.create_dataset("images", shape=(2_000_000, 1024), dtype=np.uint8, chunks=(1024, 1024), compression="gzip")
        g.create_dataset("labels", shape=(2_000_000,), dtype=np.uint8, chunks=(65536,), compression="gzip")
    ds("huge-declared-images-unallocated.h5", "", train=None, test=test, extra=huge_declared)
    def huge_over_limit(f):
        g = f.create_group("train")
        g.create_dataset("images", shape=(2**40, 784), dtype=np.uint8, chunks=(64, 784))
        g.create_dataset("labels", shape=(2**40,), dtype=np.uint8, chunks=(65536,))
    ds("huge-declared-images-over-limit.h5", "", train=None, test=test, extra=huge_over_limit)

    # ---- Checkpoints
    def ck(name, phrase="", **kw):
        write_checkpoint(c.path(name), **kw)
        c.add(name, "checkpoint", phrase)

    p = valid_params(); p[0][0][3, 17] = np.nan
    ck("checkpoint-nan-weight.h5", "(3, 17)", params=p)
    p = valid_params(); p[1][1][4] = np.inf
    ck("checkpoint-inf-bias.h5", "finite", params=p)
    p = valid_params(); p[1][0][9, 9] = -np.inf
    ck("checkpoint-neginf-weight.h5", "finite", params=p)
    ck("checkpoint-sizes-disagree.h5", "needs", attrs={"sizes": np.array([784, 20, 10], np.int64)})
    ck("checkpoint-sizes-extra-layer.h5", "", attrs={"sizes": np.array([784, 10, 10, 10], np.int64)})
    ck("checkpoint-sizes-fewer-layers.h5", "unexpected", attrs={"sizes": np.array([784, 10], np.int64)})
    ck("checkpoint-sizes-zero.h5", "sizes", attrs={"sizes": np.array([784, 0, 10], np.int64)})
    ck("checkpoint-sizes-negative.h5", "sizes", attrs={"sizes": np.array([784, -10, 10], np.int64)})
    ck("checkpoint-sizes-one-layer.h5", "sizes", attrs={"sizes": np.array([784], np.int64)}, params=[])
    ck("checkpoint-sizes-too-many-parameters.h5", "sizes", attrs={"sizes": np.array([2**24, 2**24], np.int64)})
    # Within the 2^31-parameter limit, but ~8.5 GB of Float: must be refused (shapes disagree)
    # before the network is allocated.
    ck("checkpoint-sizes-huge-allocation.h5", "", attrs={"sizes": np.array([2**24, 127], np.int64)}, params=valid_params()[:1])
    ck("checkpoint-sizes-string.h5", "sizes", attrs={"sizes": "784,10,10"})
    def drop_layer1(f):
        del f["layers/1"]
    ck("checkpoint-missing-layer.h5", "/layers/1", extra=drop_layer1)
    def drop_biases(f):
        del f["layers/0/biases"]
    ck("checkpoint-missing-biases.h5", "/layers/0/biases", extra=drop_biases)
    def no_layers(f):
        del f["layers"]
    ck("checkpoint-missing-layers-group.h5", "/layers", extra=no_layers)
    p = [(w.astype(np.float64), b) for w, b in valid_params()]
    ck("checkpoint-weights-float64.h5", "float32", params=p)
    p = [(w.astype(np.int32), b) for w, b in valid_params()]
    ck("checkpoint-weights-int32.h5", "float32", params=p)
    p = valid_params(); p[0] = (p[0][0].T.copy(), p[0][1])
    ck("checkpoint-weights-transposed.h5", "shape", params=p)
    ck("checkpoint-version-4.h5", "newer ShardNet (version 4)", attrs={"version": np.int64(4)})
    ck("checkpoint-version-huge.h5", "newer ShardNet", attrs={"version": np.int64(2**62)})
    ck("checkpoint-version-0.h5", "version", attrs={"version": np.int64(0)})
    ck("checkpoint-version-string.h5", "version", attrs={"version": "1"})
    ck("checkpoint-format-wrong.h5", "format", attrs={"format": "tensorflow-checkpoint"})
    ck("checkpoint-format-integer.h5", "format", attrs={"format": np.int64(1)})
    ck("checkpoint-missing-format.h5", "format", drop_attrs=("format",))
    ck("checkpoint-missing-sizes.h5", "sizes", drop_attrs=("sizes",))
    ck("checkpoint-cost-unknown.h5", "cost", attrs={"cost": "hinge"})
    ck("checkpoint-activation-relu.h5", "activation", attrs={"activation": "relu"})
    def bad_history(f):
        f["training"].attrs["epochs_completed"] = np.int64(5)
    ck("checkpoint-history-length-disagrees.h5", "epochs_completed", training=True, extra=bad_history)
    def zero_generator(f):
        f["training"].attrs["generator_state"] = np.zeros(4, np.int64)
    ck("checkpoint-generator-state-zero.h5", "generator_state", training=True, extra=zero_generator)
    def nan_eta(f):
        f["training"].attrs["eta"] = np.nan
    ck("checkpoint-eta-nan.h5", "eta", training=True, extra=nan_eta)
    def correct_gt_total(f):
        del f["training/history/test_correct"]
        f["training/history"].create_dataset("test_correct", data=np.array([99], np.int64))
    ck("checkpoint-test-correct-above-total.h5", "test_correct", training=True, extra=correct_gt_total)

    # ---- IDX (each replaces one of the four valid files given to `shardnet convert`)
    good_images = idx_bytes(idx_images(IDX_TRAIN_N))
    good_labels = idx_bytes(idx_labels(IDX_TRAIN_N))
    I, L = "idx-images", "idx-labels"
    c.write_bytes("idx-empty-images", b"", I, "too short", "train")
    c.write_bytes("idx-empty-labels.gz", b"", L, "too short", "train")
    c.write_bytes("idx-text-images", b"hello, this is not an IDX file\n", I, "bad magic", "train")
    c.write_bytes("idx-bad-magic-images", b"\x12\x34" + good_images[2:], I, "bad magic", "train")
    c.write_bytes("idx-float-element-type-images", b"\x00\x00\x0d\x03" + good_images[4:], I, "element type", "train")
    c.write_bytes("idx-rank5-images", idx_header(0x0805, [IDX_TRAIN_N, 2, 2, 2, 2]) + bytes(IDX_TRAIN_N * 16), I, "", "train")
    c.write_bytes("idx-rank0-labels", idx_header(0x0800, []), L, "", "train")
    c.write_bytes("idx-labels-given-as-images", good_labels, I, "swapped", "train")
    c.write_bytes("idx-images-given-as-labels", good_images, L, "swapped", "train")
    c.write_bytes("idx-truncated-header-images", good_images[:9], I, "truncated", "train")
    c.write_bytes("idx-truncated-magic-labels", good_labels[:3], L, "too short", "train")
    c.write_bytes("idx-truncated-payload-images", good_images[:-100], I, "truncated", "train")
    c.write_bytes("idx-truncated-payload-labels", good_labels[:-1], L, "truncated", "train")
    c.write_bytes("idx-trailing-bytes-images", good_images + b"\x00" * 7, I, "trailing", "train")
    c.write_bytes("idx-huge-dims-2e31-images", idx_header(0x0803, [2**31, 28, 28]) + bytes(64), I, "refusing to allocate", "train")
    c.write_bytes("idx-huge-dims-max-images", idx_header(0x0803, [2**32 - 1] * 3) + bytes(64), I, "refusing to allocate", "train")
    c.write_bytes("idx-huge-dims-1.6GB-images", idx_header(0x0803, [2**21, 28, 28]) + bytes(64), I, "truncated", "train")
    c.write_bytes("idx-huge-dims-labels", idx_header(0x0801, [2**31 - 1]) + bytes(16), L, "truncated", "train")
    c.write_bytes("idx-huge-dims-images.gz", gz(idx_header(0x0803, [2**21, 28, 28]) + bytes(64)), I, "gzip", "train")
    c.write_bytes("idx-zero-images", idx_header(0x0803, [0, 28, 28]), I, "zero", "train")
    c.write_bytes("idx-zero-rows-images", idx_header(0x0803, [IDX_TRAIN_N, 0, 28]), I, "zero", "train")
    c.write_bytes("idx-zero-labels.gz", gz(idx_header(0x0801, [0])), L, "zero", "train")
    c.write_bytes("idx-count-mismatch-labels", idx_bytes(idx_labels(IDX_TRAIN_N - 1)), L, "do not belong together", "train")
    c.write_bytes("idx-count-mismatch-test-labels.gz", gz(idx_bytes(idx_labels(IDX_TEST_N + 3, 1))), L, "do not belong together", "test")
    c.write_bytes("idx-test-image-size-differs.gz", gz(idx_bytes(idx_images(IDX_TEST_N, 1, 20, 20))), I, "pixels per image", "test")
    zipped = bytearray(gz(good_images, level=6))
    for i in range(len(zipped) // 2, len(zipped) // 2 + 8):
        zipped[i] ^= 0x5A
    c.write_bytes("idx-corrupt-deflate-images.gz", bytes(zipped), I, "corrupt", "train")
    zipped = bytearray(gz(good_labels)); zipped[-8] ^= 0xFF  # CRC-32 of the data
    c.write_bytes("idx-bad-crc-labels.gz", bytes(zipped), L, "", "train")
    zipped = gz(good_images)
    c.write_bytes("idx-truncated-gzip-images.gz", zipped[: len(zipped) * 2 // 3], I, "truncated", "train")
    c.write_bytes("idx-gzip-header-only-labels.gz", zipped[:10], L, "", "train")
    c.write_bytes("idx-gzip-trailing-garbage-labels.gz", gz(good_labels) + b"garbage!" * 4, L, "", "train")
    # Bomb-ish: the header promises 20 images, the stream inflates to 64 MiB more.
    bomb = zlib.compressobj(9, zlib.DEFLATED, 31)
    body = bomb.compress(good_images)
    zeros = bytes(1 << 20)
    for _ in range(64):
        body += bomb.compress(zeros)
    body += bomb.flush()
    c.write_bytes("idx-gzip-bomb-images.gz", body, I, "more data", "train")
    c.write_bytes("idx-gzip-bomb-labels.gz", gz(good_labels + bytes(8 << 20)), L, "more data", "train")
    # A second gzip member that adds bytes beyond what the header promised.
    c.write_bytes("idx-concatenated-extra-member-labels.gz", gz(good_labels) + gz(b"\x01\x02\x03"), L, "more data", "train")

    import_cases(c)

    c.finish()
    print(f"wrote {len(c.rows)} cases to {c.out}")


# --------------------------------------------------------------------------------------------
# `shardnet import`: hostile Keras 3 .keras archives, legacy Keras .h5 files and network2.py
# JSON. Layouts as Sources/ShardNetInterop writes and reads them (Keras.swift, KerasConfig.swift,
# Network2JSON.swift); the valid forms import (Tests/ShardNetInteropTests/RoundTripTests.swift).

K_SIZES = [4, 3, 2]
K_NAMES = ["dense", "dense_1"]


def k_params(offset=300):
    r = rng(offset)
    return [(r.standard_normal((K_SIZES[i + 1], K_SIZES[i])).astype(np.float32),
             r.standard_normal(K_SIZES[i + 1]).astype(np.float32)) for i in range(2)]


def k3_config(sizes=K_SIZES, activations=("sigmoid", "sigmoid"), classes=("Dense", "Dense")):
    layers = [{"module": "keras.layers", "class_name": "InputLayer",
               "config": {"batch_shape": [None, sizes[0]], "dtype": "float32", "name": "input_layer"}}]
    for i, (a, cls) in enumerate(zip(activations, classes)):
        layers.append({"module": "keras.layers", "class_name": cls,
                       "config": {"name": K_NAMES[i], "units": sizes[i + 1], "activation": a, "use_bias": True},
                       "build_config": {"input_shape": [None, sizes[i]]}})
    return {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "layers": layers}}


def k3_weights(params=None, dtype=np.float32):
    params = k_params() if params is None else params
    b = io.BytesIO()
    with h5py.File(b, "w", libver=LIBVER) as f:
        for name, (w, bias) in zip(K_NAMES, params):
            v = f.create_group(f"layers/{name}/vars")
            v.attrs["name"] = name
            v.create_dataset("0", data=w.T.astype(dtype))
            v.create_dataset("1", data=bias.astype(dtype))
    return b.getvalue()


def k_zip(entries, method=zipfile.ZIP_STORED):
    """A zip of (name, bytes) entries with fixed timestamps (deterministic bytes)."""
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", method) as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, data)
    return b.getvalue()


def keras_bytes(config=None, weights=None, method=zipfile.ZIP_STORED):
    config = json.dumps(k3_config()).encode() if config is None else config
    config = config if isinstance(config, bytes) else json.dumps(config).encode()
    return k_zip([("metadata.json", b'{"keras_version": "3.15.1"}'), ("config.json", config),
                  ("model.weights.h5", k3_weights() if weights is None else weights)], method)


def set_declared_size(data, name, size):
    """Overwrites entry `name`'s uncompressed size in its local header and its central
    directory record (a zip that lies about how large an entry is)."""
    data = bytearray(data)
    n = name.encode()
    for sig, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        i = data.find(sig)
        while i >= 0:
            if data[i + name_at:i + name_at + len(n)] == n:
                data[i + size_at:i + size_at + 4] = struct.pack("<I", size)
            i = data.find(sig, i + 4)
    return bytes(data)


def deflated_bomb(prefix, zeros):
    """A raw deflate stream of `prefix` followed by `zeros` zero bytes (about 1 KB per MB)."""
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = z.compress(prefix)
    chunk = bytes(1 << 20)
    for _ in range(zeros >> 20):
        out += z.compress(chunk)
    return out + z.flush()


def bomb_zip(entries, bomb_name, bomb_prefix, bomb_zeros, declared):
    """A zip whose entry `bomb_name` is a deflate stream inflating to len(prefix) + zeros bytes
    but declares `declared` bytes; the other entries are stored. Built by hand (zipfile would
    compress the whole payload in memory and state its true size)."""
    out, central = bytearray(), bytearray()
    items = entries + [(bomb_name, None)]
    for name, data in items:
        n = name.encode()
        if data is None:
            payload = deflated_bomb(bomb_prefix, bomb_zeros)
            method, crc, usize = 8, zlib.crc32(bomb_prefix), declared
        else:
            payload, method, crc, usize = data, 0, zlib.crc32(data), len(data)
        offset = len(out)
        out += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, method, 0, 0x5C21, crc, len(payload), usize, len(n), 0) + n + payload
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, method, 0, 0x5C21, crc, len(payload), usize,
                               len(n), 0, 0, 0, 0, 0, offset) + n
    cd_at = len(out)
    out += central + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(items), len(items), len(central), cd_at, 0)
    return bytes(out)


def never_ending_deflate_zip(entries, name, prefix):
    """A zip whose entry `name` is a deflate stream that never ends (no final block) and runs to
    the end of the file: its local header and data sit in the end-of-central-directory record's
    comment, the last bytes of the file. A reader that inflates until the stream ends reads at
    the end of the file forever (ZIPFoundation 0.9.20 on Linux did)."""
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    payload = z.compress(prefix) + z.flush(zlib.Z_SYNC_FLUSH)  # ends in an empty non-final stored block
    out, central = bytearray(), bytearray()
    for n_, data in entries:
        n = n_.encode()
        offset = len(out)
        out += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 0, 0, 0x5C21, zlib.crc32(data), len(data), len(data), len(n), 0) + n + data
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 0, 0, 0x5C21, zlib.crc32(data), len(data), len(data),
                               len(n), 0, 0, 0, 0, 0, offset) + n
    n = name.encode()
    cd_at = len(out)
    count = len(entries) + 1
    central_size = len(central) + 46 + len(n)
    local_at = cd_at + central_size + 22  # inside the comment
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x5C21, zlib.crc32(prefix), len(payload), len(prefix), len(n), 0) + n
    central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x5C21, zlib.crc32(prefix), len(payload), len(prefix),
                           len(n), 0, 0, 0, 0, 0, local_at) + n
    comment = local + payload
    out += central + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, len(central), cd_at, len(comment)) + comment
    return bytes(out)


def k2_config(sizes=K_SIZES, classes=("Dense", "Dense")):
    layers = [{"class_name": "InputLayer", "config": {"batch_input_shape": [None, sizes[0]], "name": "input_1"}}]
    for i, cls in enumerate(classes):
        layers.append({"class_name": cls, "config": {"name": K_NAMES[i], "units": sizes[i + 1], "activation": "sigmoid",
                                                     "use_bias": True, "rate": 0.5}})
    return {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers}, "keras_version": "2.15.0"}


def write_legacy(path, config=None, params=None, dtype=np.float32, extra=None):
    """tf.keras 2's single-file layout (model_config JSON attribute, model_weights/...)."""
    params = k_params() if params is None else params
    with h5py.File(path, "w", libver=LIBVER) as f:
        if config is not False:
            f.attrs["model_config"] = config if isinstance(config, str) else json.dumps(config or k2_config())
        f.attrs["keras_version"] = np.bytes_("2.15.0")
        f.attrs["backend"] = np.bytes_("tensorflow")
        mw = f.create_group("model_weights")
        mw.attrs["layer_names"] = np.array([n.encode() for n in K_NAMES], dtype="S")
        for name, (w, b) in zip(K_NAMES, params):
            g = mw.create_group(name)
            g.attrs["weight_names"] = np.array([f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()], dtype="S")
            g.create_dataset(f"{name}/kernel:0", data=w.T.astype(dtype))
            g.create_dataset(f"{name}/bias:0", data=b.astype(dtype))
        if extra:
            extra(f)


def import_cases(c):
    I = "import"
    P = k_params()
    nan_params = [P[0], (P[1][0], np.array([0.5, np.nan], np.float32))]
    # valid references (not cases): each imports
    with open(os.path.join(c.out, "_valid", "model.keras"), "wb") as f:
        f.write(keras_bytes())
    write_legacy(os.path.join(c.out, "_valid", "model-keras.h5"))

    # ---- Keras 3 .keras archives
    good = keras_bytes()
    c.write_bytes("import-keras-truncated-half.keras", good[: len(good) // 2], I, "not a readable zip archive")
    c.write_bytes("import-keras-truncated-end-record.keras", good[:-10], I, "not a readable zip archive")
    c.write_bytes("import-keras-only-signature.keras", b"PK\x03\x04", I, "not a readable zip archive")
    c.write_bytes("import-keras-empty-archive.keras", k_zip([]), I, "config.json: is missing from the archive")
    c.write_bytes("import-keras-no-weights.keras", k_zip([("config.json", json.dumps(k3_config()).encode())]), I,
                  "model.weights.h5: is missing from the archive")
    damaged = bytearray(good)
    at = damaged.find(b'"class_name"')
    damaged[at + 2] ^= 0x20  # stored config.json no longer matches its CRC-32
    c.write_bytes("import-keras-config-crc-mismatch.keras", bytes(damaged), I, "config.json: fails its CRC-32 check")
    c.write_bytes("import-keras-config-declared-4gb.keras", set_declared_size(good, "config.json", 0xFFFFFFF0), I,
                  "config.json: declares 4294967280 bytes")
    # Zip bombs: 512 MiB of zeros in 0.5 MB, honestly declared (refused by the declaration before
    # anything is extracted), and 64 MiB declared as the few KB of a real weights file (refused
    # as soon as the extraction passes the declared size).
    weights = k3_weights()
    cfg = ("config.json", json.dumps(k3_config()).encode())
    c.write_bytes("import-keras-bomb-declared-512mb.keras",
                  bomb_zip([cfg], "model.weights.h5", weights, 512 << 20, len(weights) + (512 << 20)), I,
                  "model.weights.h5: declares")
    c.write_bytes("import-keras-bomb-lying-size.keras", bomb_zip([cfg], "model.weights.h5", weights, 64 << 20, len(weights)), I,
                  "model.weights.h5: extracts to more than")
    c.write_bytes("import-keras-config-bomb.keras", bomb_zip([], "config.json", b"{", 64 << 20, 100), I,
                  "config.json: extracts to more than")
    # Refused as damaged deflate data: what follows the stream's last byte is not read (see
    # ZipEntryReader), so the stream fails where it should have ended.
    c.write_bytes("import-keras-deflate-stream-never-ends.keras", never_ending_deflate_zip([cfg], "model.weights.h5", weights), I,
                  "model.weights.h5: cannot be inflated")
    c.write_bytes("import-keras-weights-int32.keras", keras_bytes(weights=k3_weights(dtype=np.int32)), I,
                  "expected float32 or float64")
    c.write_bytes("import-keras-weights-float16.keras", keras_bytes(weights=k3_weights(dtype=np.float16)), I,
                  "expected float32 or float64")
    c.write_bytes("import-keras-shape-mismatch.keras", keras_bytes(json.dumps(k3_config(sizes=[4, 5, 2])).encode()), I,
                  "the model config implies [4, 5]")
    c.write_bytes("import-keras-conv2d-layer.keras", keras_bytes(json.dumps(k3_config(classes=("Dense", "Conv2D"))).encode()), I,
                  "is a Conv2D; only Dense layers")
    c.write_bytes("import-keras-relu.keras", keras_bytes(json.dumps(k3_config(activations=("sigmoid", "relu"))).encode()), I,
                  "activation 'relu' is not supported")
    functional = dict(k3_config(), class_name="Functional")
    c.write_bytes("import-keras-functional.keras", keras_bytes(json.dumps(functional).encode()), I, "only Sequential")
    c.write_bytes("import-keras-nan-weights.keras", keras_bytes(weights=k3_weights(nan_params)), I, "parameters must be finite")
    c.write_bytes("import-keras-config-malformed.keras", keras_bytes(b'{"class_name": "Sequential", "config": {"layers": [{'), I,
                  "config.json: is not valid JSON")
    c.write_bytes("import-keras-config-deep.keras", keras_bytes(b"[" * 100000 + b"]" * 100000), I, "nested deeper than 64")
    c.write_bytes("import-keras-config-units-huge.keras",
                  keras_bytes(json.dumps(k3_config(sizes=[4, 10**12, 2])).encode()), I, "units: is 1000000000000")
    c.write_bytes("import-keras-weights-not-hdf5.keras", keras_bytes(weights=b"A" * 4096), I, "model.weights.h5")
    c.write_bytes("import-keras-weights-truncated.keras", keras_bytes(weights=weights[: len(weights) // 2]), I, "model.weights.h5")

    # ---- legacy Keras .h5
    write_legacy(c.path("import-keras-h5-no-model-config.h5"), config=False)
    c.add("import-keras-h5-no-model-config.h5", I, "model_config")
    write_legacy(c.path("import-keras-h5-config-malformed.h5"), config='{"class_name": "Sequential", "config": {')
    c.add("import-keras-h5-config-malformed.h5", I, "model_config: is not valid JSON")
    write_legacy(c.path("import-keras-h5-config-deep.h5"), config="{\"a\": " * 5000 + "1" + "}" * 5000)
    c.add("import-keras-h5-config-deep.h5", I, "nested deeper than 64")
    write_legacy(c.path("import-keras-h5-dropout-layer.h5"), config=k2_config(classes=("Dense", "Dropout")))
    c.add("import-keras-h5-dropout-layer.h5", I, "is a Dropout; only Dense layers")
    write_legacy(c.path("import-keras-h5-weights-int32.h5"), dtype=np.int32)
    c.add("import-keras-h5-weights-int32.h5", I, "expected float32 or float64")
    write_legacy(c.path("import-keras-h5-shape-mismatch.h5"), config=k2_config(sizes=[4, 3, 7]))
    c.add("import-keras-h5-shape-mismatch.h5", I, "the model config implies [3, 7]")
    write_legacy(c.path("import-keras-h5-nan-bias.h5"), params=nan_params)
    c.add("import-keras-h5-nan-bias.h5", I, "parameters must be finite")
    def drop_layer(f):
        del f["model_weights/dense_1"]
    write_legacy(c.path("import-keras-h5-missing-layer.h5"), extra=drop_layer)
    c.add("import-keras-h5-missing-layer.h5", I, "/model_weights/dense_1: is missing")
    def no_weight_names(f):
        del f["model_weights/dense"].attrs["weight_names"]
    write_legacy(c.path("import-keras-h5-no-weight-names.h5"), extra=no_weight_names)
    c.add("import-keras-h5-no-weight-names.h5", I, "weight_names")
    with open(os.path.join(c.out, "_valid", "model-keras.h5"), "rb") as f:
        legacy = f.read()
    c.write_bytes("import-keras-h5-truncated.h5", legacy[: len(legacy) // 2], I, "")

    # ---- network2.py JSON
    def j(obj):
        return json.dumps(obj).encode()
    good_json = {"sizes": [2, 3, 1], "weights": [[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], [[0.7, 0.8, 0.9]]],
                 "biases": [[[0.1], [0.2], [0.3]], [[0.4]]], "cost": "CrossEntropyCost"}
    c.write_bytes("import-json-malformed.json", j(good_json)[:-30], I, "is not valid JSON")
    c.write_bytes("import-json-deep-arrays.json", b'{"sizes": ' + b"[" * 100000 + b"]" * 100000 + b"}", I, "nested deeper than 64")
    c.write_bytes("import-json-deep-objects.json", b'{"a": ' * 100000 + b"1" + b"}" * 100000, I, "nested deeper than 64")
    c.write_bytes("import-json-nan-literal.json", j(good_json).replace(b"0.5", b"NaN"), I, "")
    c.write_bytes("import-json-infinite-weight.json", j(good_json).replace(b"0.5", b"1e39"), I, "parameters must be finite")
    c.write_bytes("import-json-shape-mismatch.json", j(dict(good_json, sizes=[2, 2, 1])), I, "has 3 rows; expected 2")
    c.write_bytes("import-json-weights-strings.json", j(dict(good_json, weights=[[["0.1", "0.2"]] * 3, [[0.7, 0.8, 0.9]]])), I,
                  "is not a number")
    c.write_bytes("import-json-sizes-huge.json", j(dict(good_json, sizes=[1 << 24] * 3)), I, "parameters")
    c.write_bytes("import-json-sizes-too-many.json", j(dict(good_json, sizes=[2] * 2000)), I, "at most 1024")
    c.write_bytes("import-json-cost-unknown.json", j(dict(good_json, cost="HingeCost")), I, "cost: is 'HingeCost'")
    c.write_bytes("import-json-top-level-array.json", b"[1, 2, 3]", I, "")
    c.write_bytes("import-json-empty.json", b"", I, "empty")
    c.write_bytes("import-not-a-model.bin", b"\x7fELF" + bytes(60), I, "expected a Keras model")


if __name__ == "__main__":
    main()
