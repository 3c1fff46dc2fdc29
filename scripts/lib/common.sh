# Sourced by the scripts that build a C program, print the machine they measured on, or A/B
# training runs on Fashion-MNIST.
# CLANG: the C compiler (the environment's, else clang on PATH, else the Swift toolchain's).
CLANG=${CLANG:-$(command -v clang || echo /opt/swift/usr/bin/clang)}

# "AMD EPYC (family 25, model 1), 2 cores": the CPU every figure must name.
cpu_line() {
    local info
    info=$(lscpu)
    echo "$(sed -n 's/^Model name: *//p' <<<"$info") (family $(sed -n 's/^CPU family: *//p' <<<"$info"), model $(sed -n 's/^Model: *//p' <<<"$info")), $(nproc) cores"
}

# The release `shardnet` and a dataset for the training A/B scripts: builds shardnet into
# $SCRATCH (default .build) and sets BIN to it; sets DATA (default /tmp/shardnet-fashion.h5,
# Fashion-MNIST converted once from Debian's dataset-fashion-mnist, which scripts/bootstrap
# installs). $1: the script's name, for the error line.
shardnet_and_fashion() {
    SCRATCH="${SCRATCH:-.build}"
    swift build -c release --scratch-path "$SCRATCH" --product shardnet >&2
    BIN="$SCRATCH/release/shardnet"
    DATA="${DATA:-/tmp/shardnet-fashion.h5}"
    if [ ! -f "$DATA" ]; then
        local src=/usr/share/datasets/fashion-mnist
        [ -d "$src" ] || { echo "$1: $src is missing (apt-get install dataset-fashion-mnist), or set DATA" >&2; exit 1; }
        "$BIN" convert "$src" --output "$DATA" >&2
    fi
}
