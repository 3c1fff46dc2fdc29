#!/usr/bin/env python3
"""The Keras and TensorBoard side of ShardNet's interoperability tests (KERAS_BACKEND=jax).

usage:
  keras_interop.py predict MODEL INPUTS.h5 OUTPUTS.h5
      keras.saving.load_model(MODEL) (.keras or legacy .h5), predict `images` (N, F) from
      INPUTS.h5, write `outputs` (N, units) float64 to OUTPUTS.h5; prints the model summary line.
  keras_interop.py build MODEL SIZES ACTIVATION INPUTS.h5 OUTPUTS.h5
      builds a Keras Sequential with an InputLayer and Dense layers (SIZES like 784,30,10; every
      layer ACTIVATION, or HIDDEN/OUTPUT such as relu/softmax), seeded weights, saves it to MODEL (format from the extension), and
      writes its predictions for INPUTS.h5 to OUTPUTS.h5.
  keras_interop.py scalars LOGDIR
      reads the event files in LOGDIR with TensorBoard's EventAccumulator and prints JSON
      {tag: [[step, value], ...]}.
"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def read_images(path):
    import h5py
    import numpy as np
    with h5py.File(path, "r") as f:
        return np.asarray(f["images"], dtype=np.float32)


def write_outputs(path, outputs):
    import h5py
    import numpy as np
    with h5py.File(path, "w") as f:
        f.create_dataset("outputs", data=np.asarray(outputs, dtype=np.float64))


def predict(model_path, inputs, outputs):
    import keras
    model = keras.saving.load_model(model_path)
    out = model.predict(read_images(inputs), verbose=0)
    write_outputs(outputs, out)
    acts = [l.get_config().get("activation") for l in model.layers]
    print(f"keras {keras.__version__} loaded {model_path}: {len(model.layers)} layers, activations {acts}, output {out.shape}")


def build(model_path, sizes, activation, inputs, outputs):
    import keras
    import numpy as np
    sizes = [int(s) for s in sizes.split(",")]
    keras.utils.set_random_seed(7)
    hidden, _, output = activation.partition("/")
    output = output or hidden
    layers = [keras.Input(shape=(sizes[0],))]
    layers += [keras.layers.Dense(n, activation=hidden if i < len(sizes) - 2 else output) for i, n in enumerate(sizes[1:])]
    model = keras.Sequential(layers)
    # Non-zero biases, so that the bias path is checked too.
    rng = np.random.default_rng(11)
    for layer in model.layers:
        kernel, bias = layer.get_weights()
        layer.set_weights([kernel, rng.normal(0, 0.5, bias.shape).astype(np.float32)])
    model.save(model_path)
    write_outputs(outputs, model.predict(read_images(inputs), verbose=0))
    print(f"keras {keras.__version__} saved {model_path}")


def scalars(logdir):
    from tensorboard.backend.event_processing import event_accumulator
    acc = event_accumulator.EventAccumulator(logdir, size_guidance={event_accumulator.SCALARS: 0})
    acc.Reload()
    out = {tag: [[e.step, e.value] for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]}
    print(json.dumps(out, sort_keys=True))


def main(argv):
    if len(argv) >= 2 and argv[1] == "predict" and len(argv) == 5:
        predict(*argv[2:])
    elif len(argv) >= 2 and argv[1] == "build" and len(argv) == 7:
        build(*argv[2:])
    elif len(argv) == 3 and argv[1] == "scalars":
        scalars(argv[2])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
