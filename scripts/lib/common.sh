# Sourced by the scripts that build a C program or print the machine they measured on.
# CLANG: the C compiler (the environment's, else clang on PATH, else the Swift toolchain's).
CLANG=${CLANG:-$(command -v clang || echo /opt/swift/usr/bin/clang)}

# "AMD EPYC (family 25, model 1), 2 cores": the CPU every figure must name.
cpu_line() {
    local info
    info=$(lscpu)
    echo "$(sed -n 's/^Model name: *//p' <<<"$info") (family $(sed -n 's/^CPU family: *//p' <<<"$info"), model $(sed -n 's/^Model: *//p' <<<"$info")), $(nproc) cores"
}
