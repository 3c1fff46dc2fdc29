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

# ---- `shardnet import`: Keras 3 .keras archives (corpus/keras), legacy Keras HDF5
# (corpus/keras-h5) and network2.py JSON (corpus/import). Layouts as Sources/ShardNetInterop
# writes and reads them (Keras.swift, KerasConfig.swift); a few valid variants per format plus
# mutations that the readers refuse, so the fuzzers start from both sides of every check.
import json, zipfile

SIZES = [4, 3, 2]
PARAMS = [(r.standard_normal((SIZES[i + 1], SIZES[i])).astype(np.float32),  # (units, inputs)
           r.standard_normal(SIZES[i + 1]).astype(np.float32)) for i in range(2)]
NAMES = ["dense", "dense_1"]


def dense3(name, units, activation="sigmoid", use_bias=True, inputs=None):
    init = lambda n: {"module": "keras.initializers", "class_name": n, "config": {}, "registered_name": None}
    layer = {"module": "keras.layers", "class_name": "Dense", "registered_name": None,
             "config": {"name": name, "trainable": True, "dtype": "float32", "units": units,
                        "activation": activation, "use_bias": use_bias,
                        "kernel_initializer": init("GlorotUniform"), "bias_initializer": init("Zeros"),
                        "kernel_regularizer": None, "bias_regularizer": None,
                        "kernel_constraint": None, "bias_constraint": None}}
    if inputs is not None:
        layer["build_config"] = {"input_shape": [None, inputs]}
    return layer


def keras3_config(input_layer=True, activations=("sigmoid", "sigmoid"), use_bias=True, build=True, sizes=SIZES):
    layers = []
    if input_layer:
        layers.append({"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
                       "config": {"batch_shape": [None, sizes[0]], "dtype": "float32", "sparse": False, "name": "input_layer"}})
    for i, a in enumerate(activations):
        layers.append(dense3(NAMES[i], sizes[i + 1], a, use_bias, sizes[i] if build else None))
    return {"module": "keras", "class_name": "Sequential", "registered_name": None,
            "config": {"name": "sequential", "trainable": True, "dtype": "float32", "layers": layers},
            "build_config": {"input_shape": [None, sizes[0]]}, "compile_config": None}


def weights_h5(params=PARAMS, dtype=np.float32, use_bias=True):
    """model.weights.h5 of a .keras archive: /layers/<name>/vars/{0: kernel (in, units), 1: bias}."""
    b = io.BytesIO()
    with h5py.File(b, "w", libver=LV) as f:
        for name, (w, bias) in zip(NAMES, params):
            v = f.create_group(f"layers/{name}/vars")
            v.attrs["name"] = name
            v.create_dataset("0", data=w.T.astype(dtype))
            if use_bias:
                v.create_dataset("1", data=bias.astype(dtype))
        f.create_group("vars").attrs["name"] = "sequential"
    return b.getvalue()


def keras_zip(path, config, weights, metadata=True, method=zipfile.ZIP_STORED):
    entries = []
    if metadata:
        entries.append(("metadata.json", b'{"keras_version": "3.15.1", "date_saved": "2026-01-01@00:00:00"}'))
    if config is not None:
        entries.append(("config.json", config if isinstance(config, bytes) else json.dumps(config).encode()))
    if weights is not None:
        entries.append(("model.weights.h5", weights))
    with zipfile.ZipFile(path, "w", method) as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))  # fixed: deterministic bytes
            info.compress_type = method
            z.writestr(info, data)


K = "corpus/keras/"
os.makedirs(K, exist_ok=True)
keras_zip(K + "valid.keras", keras3_config(), weights_h5())
keras_zip(K + "valid-deflate.keras", keras3_config(), weights_h5(), method=zipfile.ZIP_DEFLATED)
keras_zip(K + "valid-no-metadata.keras", keras3_config(), weights_h5(), metadata=False)
keras_zip(K + "valid-no-input-layer.keras", keras3_config(input_layer=False, build=False), weights_h5())
keras_zip(K + "valid-float64.keras", keras3_config(), weights_h5(dtype=np.float64))
keras_zip(K + "valid-no-bias.keras", keras3_config(use_bias=False), weights_h5(use_bias=False))
keras_zip(K + "valid-relu-hidden.keras", keras3_config(activations=("relu", "sigmoid")), weights_h5())
keras_zip(K + "relu-output.keras", keras3_config(activations=("sigmoid", "relu")), weights_h5())
keras_zip(K + "nan.keras", keras3_config(), weights_h5([(np.full_like(w, np.nan), b) for w, b in PARAMS]))
keras_zip(K + "int32-weights.keras", keras3_config(), weights_h5(dtype=np.int32))
keras_zip(K + "units-mismatch.keras", keras3_config(sizes=[4, 5, 2]), weights_h5())
keras_zip(K + "no-weights.keras", keras3_config(), None)
keras_zip(K + "config-not-json.keras", b'{"class_name": "Sequential", "config": {"layers": [', weights_h5())


def legacy_h5(path, config, params=PARAMS, dtype=np.float32, layer_names=True):
    """tf.keras 2's single-file layout: root model_config (JSON), model_weights/<layer>/<layer>/{kernel:0,bias:0}."""
    with h5py.File(path, "w", libver=LV) as f:
        f.attrs["model_config"] = json.dumps(config)
        f.attrs["keras_version"] = np.bytes_("2.15.0")
        f.attrs["backend"] = np.bytes_("tensorflow")
        mw = f.create_group("model_weights")
        if layer_names:
            mw.attrs["layer_names"] = np.array([n.encode() for n in NAMES], dtype="S")
        mw.attrs["keras_version"] = np.bytes_("2.15.0")
        mw.attrs["backend"] = np.bytes_("tensorflow")
        for name, (w, b) in zip(NAMES, params):
            g = mw.create_group(name)
            g.attrs["weight_names"] = np.array([f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()], dtype="S")
            g.create_dataset(f"{name}/kernel:0", data=w.T.astype(dtype))
            g.create_dataset(f"{name}/bias:0", data=b.astype(dtype))


def keras2_config(input_layer=True, activations=("sigmoid", "sigmoid"), sizes=SIZES, layers_only=False):
    layers = []
    if input_layer:
        layers.append({"class_name": "InputLayer", "config": {"batch_input_shape": [None, sizes[0]], "dtype": "float32",
                                                               "sparse": False, "ragged": False, "name": "input_1"}})
    for i, a in enumerate(activations):
        c = {"name": NAMES[i], "trainable": True, "dtype": "float32", "units": sizes[i + 1], "activation": a, "use_bias": True}
        if not input_layer and i == 0:
            c["batch_input_shape"] = [None, sizes[0]]
        layers.append({"class_name": "Dense", "config": c})
    if layers_only:  # Keras <= 2.1: the config is the layer list itself
        return {"class_name": "Sequential", "config": layers}
    return {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers},
            "keras_version": "2.15.0", "backend": "tensorflow"}


L = "corpus/keras-h5/"
os.makedirs(L, exist_ok=True)
legacy_h5(L + "valid.h5", keras2_config())
legacy_h5(L + "valid-batch-input-shape.h5", keras2_config(input_layer=False))
legacy_h5(L + "valid-layer-list.h5", keras2_config(layers_only=True))
legacy_h5(L + "valid-float64.h5", keras2_config(), dtype=np.float64)
legacy_h5(L + "valid-no-layer-names.h5", keras2_config(), layer_names=False)
legacy_h5(L + "tanh.h5", keras2_config(activations=("sigmoid", "tanh")))
legacy_h5(L + "nan.h5", keras2_config(), params=[(w, np.full_like(b, np.nan)) for w, b in PARAMS])
legacy_h5(L + "units-mismatch.h5", keras2_config(sizes=[4, 3, 7]))
legacy_h5(L + "functional.h5", dict(keras2_config(), class_name="Functional"))

J = "corpus/import/"
os.makedirs(J, exist_ok=True)
# export-784-3-10.json was written by `shardnet export --format network2-json` and is kept as is.
small = {"sizes": [2, 3, 2], "weights": [[[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], [[0.7, -0.8, 0.9], [0.05, 0.15, -0.25]]],
         "biases": [[[0.1], [-0.1], [0.2]], [[0.0], [0.3]]], "cost": "QuadraticCost"}
put(J + "small-quadratic.json", json.dumps(small).encode())
put(J + "small-cross-entropy.json", json.dumps(dict(small, cost="CrossEntropyCost"), indent=1).encode())
put(J + "one-unit.json", json.dumps({"sizes": [1, 1], "weights": [[[1.5]]], "biases": [[[-0.5]]], "cost": "QuadraticCost"}).encode())
put(J + "nan.json", json.dumps(dict(small, biases=[[[0.1], [-0.1], [0.2]], [[float("nan")], [0.3]]])).encode())
put(J + "deep.json", b'{"sizes": ' + b"[" * 70 + b"]" * 70 + b"}")
put(J + "rows-mismatch.json", json.dumps(dict(small, sizes=[2, 2, 2])).encode())
