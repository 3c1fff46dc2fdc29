#!/usr/bin/env bash
# Nielsen's network.py (numpy, float64, one sample at a time) against ShardNet on the same
# data, sizes, mini-batch size, η and epochs; prints both epoch times, their ratio, and both
# test accuracies.
#
#   scripts/compare-numpy.sh [--data DIR] [--epochs E] [--limit N] [--layers 784,30,10]
#                            [--batch-size 10] [--eta 3.0] [--threads T] [--jax] [--torch]
#
# --jax adds JAX on the CPU as a peer (scripts/network_jax.py: each epoch one jitted
# lax.fori_loop over the steps; pip install jax), with its ratio to ShardNet.
# --torch adds PyTorch on the CPU (scripts/network_torch.py: eager, float32, the same threads as
# ShardNet's --threads or 1; run by $TORCH_PYTHON, default python3), with its ratio to ShardNet.
#
# DIR is an MNIST-format folder (default: Fashion-MNIST at /usr/share/datasets/fashion-mnist).
# --limit N uses only the first N training samples on both sides (network.py is slow: about
# 5k samples/s for 784-30-10 here, so a full 60k-sample epoch takes a few minutes).
# The ShardNet side converts DIR to HDF5 once (`shardnet convert`), then runs
# `shardnet train ... --log FILE.jsonl --quiet` (built with `swift build -c release`;
# SCRATCH=.build-NAME picks another build folder).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DATA=/usr/share/datasets/fashion-mnist
EPOCHS=1
LIMIT=""
LAYERS=784,30,10
BATCH=10
ETA=3.0
THREADS=""
JAX=0
TORCH=0
while [ $# -gt 0 ]; do
  case "$1" in
    --data) DATA="$2"; shift 2 ;;
    --epochs) EPOCHS="$2"; shift 2 ;;
    --limit) LIMIT="$2"; shift 2 ;;
    --layers) LAYERS="$2"; shift 2 ;;
    --batch-size) BATCH="$2"; shift 2 ;;
    --eta) ETA="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --jax) JAX=1; shift ;;
    --torch) TORCH=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "compare-numpy.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/compare-numpy.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# A folder with the first LIMIT training samples, so both sides see exactly the same data.
SRC="$DATA"
if [ -n "$LIMIT" ]; then
  SRC="$WORK/data"
  python3 - "$DATA" "$SRC" "$LIMIT" <<'PY'
import gzip, os, struct, sys
src, dst, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(dst)
def opener(stem):
    for name in (stem, stem + ".gz"):
        p = os.path.join(src, name)
        if os.path.exists(p):
            return gzip.open(p, "rb") if name.endswith(".gz") else open(p, "rb")
    sys.exit(f"{src}: {stem}[.gz] is missing")
for stem, header in (("train-images-idx3-ubyte", 16), ("train-labels-idx1-ubyte", 8),
                     ("t10k-images-idx3-ubyte", 16), ("t10k-labels-idx1-ubyte", 8)):
    with opener(stem) as f:
        data = f.read()
    if stem.startswith("train"):
        fields = list(struct.unpack(">%dI" % (header // 4), data[:header]))
        n = min(limit, fields[1])
        per = 1
        for d in fields[2:]:
            per *= d
        fields[1] = n
        data = struct.pack(">%dI" % len(fields), *fields) + data[header:header + n * per]
    with gzip.open(os.path.join(dst, stem + ".gz"), "wb", compresslevel=1) as g:
        g.write(data)
PY
fi

echo "== network.py (numpy, float64) on $SRC: layers $LAYERS, m=$BATCH, eta=$ETA, $EPOCHS epoch(s)" >&2
python3 "$ROOT/scripts/network_py.py" "$SRC" --layers "$LAYERS" --epochs "$EPOCHS" --batch-size "$BATCH" --eta "$ETA" \
  > "$WORK/numpy.jsonl"
cat "$WORK/numpy.jsonl" >&2

: > "$WORK/jax.jsonl"
if [ "$JAX" = 1 ]; then
  echo "== JAX (CPU, jit + fori_loop, float32) on $SRC" >&2
  python3 "$ROOT/scripts/network_jax.py" "$SRC" --layers "$LAYERS" --epochs "$EPOCHS" --batch-size "$BATCH" --eta "$ETA" \
    > "$WORK/jax.jsonl"
  cat "$WORK/jax.jsonl" >&2
fi

: > "$WORK/torch.jsonl"
if [ "$TORCH" = 1 ]; then
  echo "== PyTorch (CPU, eager, float32) on $SRC" >&2
  T="${THREADS:-1}"; [ "$T" = auto ] && T=1
  "${TORCH_PYTHON:-python3}" "$ROOT/scripts/network_torch.py" "$SRC" --layers "$LAYERS" --epochs "$EPOCHS" --batch-size "$BATCH" \
    --eta "$ETA" --threads "$T" > "$WORK/torch.jsonl"
  cat "$WORK/torch.jsonl" >&2
fi

echo "== ShardNet on the same data" >&2
SCRATCH="${SCRATCH:-.build}"
(cd "$ROOT" && swift build -c release --scratch-path "$SCRATCH" --product shardnet >&2)
case "$SCRATCH" in /*) SHARDNET="$SCRATCH/release/shardnet" ;; *) SHARDNET="$ROOT/$SCRATCH/release/shardnet" ;; esac
"$SHARDNET" convert "$SRC" --output "$WORK/data.h5" >&2
EXTRA=()
[ -n "$THREADS" ] && EXTRA+=(--threads "$THREADS")
"$SHARDNET" train --data "$WORK/data.h5" --layers "$LAYERS" --epochs "$EPOCHS" --batch-size "$BATCH" --eta "$ETA" \
  --output "$WORK/model.h5" --log "$WORK/shardnet.jsonl" --quiet "${EXTRA[@]}" >&2
cat "$WORK/shardnet.jsonl" >&2

python3 - "$WORK/numpy.jsonl" "$WORK/shardnet.jsonl" "$WORK/jax.jsonl" "$WORK/torch.jsonl" <<'PY'
import json, sys
def rows(path):
    return [json.loads(l) for l in open(path) if l.strip()]
py, sn, jx, tc = rows(sys.argv[1]), rows(sys.argv[2]), rows(sys.argv[3]), rows(sys.argv[4])
if not py or not sn:
    sys.exit("compare-numpy.sh: a side produced no epochs")
def mean(xs):
    return sum(xs) / len(xs)
pt, st = mean([r["seconds"] for r in py]), mean([r["seconds"] for r in sn])
print(f"epochs: {len(py)} (network.py) / {len(sn)} (ShardNet)")
print(f"mean epoch time: network.py {pt:.3f} s, ShardNet {st:.3f} s "
      f"({sn[-1].get('threads', '?')} threads, {sn[-1].get('shards', '?')} shards)")
print(f"ratio network.py / ShardNet: {pt / st:.1f}x")
if jx:
    jt = mean([r["seconds"] for r in jx])
    print(f"JAX (CPU, jit + fori_loop): {jt:.3f} s per epoch; ratio JAX / ShardNet: {jt / st:.1f}x; "
          f"JAX test accuracy {jx[-1]['testAccuracy']:.4f}")
if tc:
    tt = mean([r["seconds"] for r in tc])
    print(f"PyTorch {tc[-1]['torch']} (CPU, eager, {tc[-1]['threads']} thread(s)): {tt:.3f} s per epoch; "
          f"ratio PyTorch / ShardNet: {tt / st:.1f}x; PyTorch test accuracy {tc[-1]['testAccuracy']:.4f}")
print(f"kernels: ShardNet {sn[-1].get('kernels', '?')}, schedule {sn[-1].get('schedule', '?')}")
print(f"final test accuracy: network.py {py[-1]['testAccuracy']:.4f} ({py[-1]['testCorrect']}/{py[-1]['testTotal']}), "
      f"ShardNet {sn[-1]['testAccuracy']:.4f} ({sn[-1]['testCorrect']}/{sn[-1]['testTotal']})")
PY
