// ShardNet's own SIMD kernels for the five equations of backpropagation and the SGD update.
//
// Conventions. Layer l maps nIn inputs to nOut units. Weights W are (nOut, nIn) row-major,
// biases b (nOut). Activations and deltas are (rows, width) row-major with a leading dimension
// ld >= width, one sample per row. Packed forward weights are panels of 16 output units:
// panel p holds units 16p ..< min(16p + 16, nOut) as an (nIn, 16) k-major block,
// packed[p*nIn*16 + k*16 + u] = W[16p + u][k], zero for units >= nOut.
//
// Every ISA computes every output element with exactly the same sequence of IEEE single
// operations as the scalar reference (fused multiply-adds written out explicitly, no
// contraction), so all ISAs give bitwise identical results.
#ifndef SHARDNET_KERNELS_H
#define SHARDNET_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction sets with a kernel table.
enum {
    SN_ISA_SCALAR = 0,
    SN_ISA_AVX2 = 1,   // x86-64 AVX2 + FMA
    SN_ISA_AVX512 = 2, // x86-64 AVX-512F (+ AVX2, FMA)
    SN_ISA_NEON = 3,   // AArch64 Advanced SIMD
    SN_ISA_COUNT = 4
};

/// Activation codes.
enum {
    SN_ACT_SIGMOID = 0,
    SN_ACT_TANH = 1,
    SN_ACT_RELU = 2,
    SN_ACT_IDENTITY = 3 // a softmax output layer's z
};

/// Output-layer cost kinds for sn_output_error.
enum {
    SN_COST_QUADRATIC = 0,     // sigmoid + quadratic
    SN_COST_CROSS_ENTROPY = 1, // sigmoid + cross-entropy
    SN_COST_LOG_LIKELIHOOD = 2 // softmax + log-likelihood
};

/// Hyper-parameters of one update. mu == 0: plain SGD with weight decay; else momentum.
typedef struct sn_update {
    float rate;    // eta / batch
    float decay;   // multiplicative weight decay (1 for none; used only when mu == 0)
    float l2;      // L2 coefficient (momentum form)
    float l1;      // L1 coefficient
    float mu;      // momentum coefficient
    int nesterov;  // non-zero: Nesterov momentum
} sn_update;

typedef struct sn_kernels {
    const char *name;
    int isa;
    /// out[r][j] = act(fma-chain_k(in[r][k] * W[j][k]) + b[j]) for r < rows, j in [j0, j1), j0 % 16 == 0.
    void (*forward)(ptrdiff_t rows, ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1,
                    const float *in, ptrdiff_t ldIn, const float *packed, const float *bias,
                    float *out, ptrdiff_t ldOut, int act);
    /// prev[r][k] = fma-chain_j(delta[r][j] * W[j][k]) * act'(a[r][k]) for r < rows, k in [k0, k1).
    void (*backward)(ptrdiff_t rows, ptrdiff_t nIn, ptrdiff_t nOut, ptrdiff_t k0, ptrdiff_t k1,
                     const float *delta, ptrdiff_t ldDelta, const float *W,
                     const float *a, ptrdiff_t ldA, float *prev, ptrdiff_t ldPrev, int act);
    /// nablaW[j][k] = fma-chain_r(delta[r][j] * in[r][k]), nablaB[j] = sum_r delta[r][j], j in [j0, j1).
    void (*gradient)(ptrdiff_t rows, ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1,
                     const float *delta, ptrdiff_t ldDelta, const float *in, ptrdiff_t ldIn,
                     float *nablaW, float *nablaB);
    /// As gradient, but adds: nablaW[j][k] = nablaW[j][k] + fma-chain_r(...), nablaB[j] = nablaB[j] + sum_r
    /// delta[r][j] — each shard's chain from 0, then added to the running sum, so shard after shard
    /// into one buffer gives the bits of the shards' gradients summed in shard order.
    void (*gradient_add)(ptrdiff_t rows, ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1,
                         const float *delta, ptrdiff_t ldDelta, const float *in, ptrdiff_t ldIn,
                         float *nablaW, float *nablaB);
    /// SGD step over [offset, offset + count) with the shard gradients summed in shard order.
    void (*update)(ptrdiff_t count, float *param, float *velocity, const float *const *grads,
                   ptrdiff_t nGrads, ptrdiff_t offset, const sn_update *u);
    /// dst[i] = (float)src[i] / 255 for i < n: uint8 pixels to [0, 1], one correctly rounded
    /// division each (the same bits on every ISA).
    void (*scale_bytes)(const uint8_t *src, ptrdiff_t n, float *dst);
    /// Equation 5 and the plain update (mu == 0) in one pass, on weights kept in packed panels:
    /// for units j in [j0, j1) (j0 % 16 == 0) and every input k, per shard s with rows
    /// (rows bounds[s] ..< bounds[s + 1], bounds[0] == 0, rows <= SN_SGD_PACKED_MAX_ROWS) the
    /// chain fma-chain_r(delta[r][j] * in[r][k]) from 0, the shards' chains added in shard order
    /// (g = ((g0 + g1) + g2) ...), then packed[j][k] <- decay * w - rate * g (- l1 * sgn w); the
    /// biases likewise from sum_r delta[r][j]. The bits of gradient on the first shard with
    /// rows, gradient_add on the next ones, update and pack.
    void (*sgd_packed)(ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1, const ptrdiff_t *bounds, ptrdiff_t shards,
                       const float *delta, ptrdiff_t ldDelta, const float *in, ptrdiff_t ldIn,
                       float *packed, float *bias, const sn_update *weights, const sn_update *biases);
    /// Packs the panels covering units [j0, j1) (j0 % 16 == 0).
    void (*pack)(ptrdiff_t nIn, ptrdiff_t nOut, ptrdiff_t j0, ptrdiff_t j1, const float *W, float *packed);
    /// The inverse of pack: rows [j0, j1) of W (j0 % 16 == 0) from the panels.
    void (*unpack)(ptrdiff_t nIn, ptrdiff_t nOut, ptrdiff_t j0, ptrdiff_t j1, const float *packed, float *W);
    /// forward with each chain over the inputs cols[0 ..< nCols] only (ascending), as if every
    /// other input were 0. With sn_nonzero_columns' list (the others ±0 in every row) these are
    /// forward's bits for finite weights: a chain starts at +0, and a term x·w = ±0 leaves it as
    /// it is (a nonzero sum unchanged, +0 + −0 = +0), so dropping those terms drops no rounding.
    void (*forward_cols)(ptrdiff_t rows, ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1,
                         const float *in, ptrdiff_t ldIn, const float *packed, const float *bias,
                         float *out, ptrdiff_t ldOut, int act, const int32_t *cols, ptrdiff_t nCols);
    /// sgd_packed over the inputs cols[0 ..< nCols] only, as if every other input were 0: such
    /// an input's gradient chain is +0 in every shard, and the update without decay or L1 leaves
    /// its weight as it is (w − rate·(+0) = w), so with sn_nonzero_columns' list and finite deltas
    /// these are sgd_packed's bits. With decay ≠ 1 or L1 every weight changes: the list is then
    /// ignored (sgd_packed itself runs).
    void (*sgd_packed_cols)(ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1, const ptrdiff_t *bounds, ptrdiff_t shards,
                            const float *delta, ptrdiff_t ldDelta, const float *in, ptrdiff_t ldIn,
                            float *packed, float *bias, const sn_update *weights, const sn_update *biases,
                            const int32_t *cols, ptrdiff_t nCols);
    /// sn_nonzero_columns (below); every table lists the same columns.
    ptrdiff_t (*nonzero_columns)(ptrdiff_t rows, ptrdiff_t n, const float *in, ptrdiff_t ld, int32_t *cols);
} sn_kernels;

/// The kernel table for an ISA, or NULL when this CPU (or this build) lacks it.
const sn_kernels *sn_kernels_for(int isa);

/// The most rows sgd_packed takes (its panel of deltas is a 16 KB stack buffer).
#define SN_SGD_PACKED_MAX_ROWS 256

/// Floats in a layer's packed weights: ceil(nOut/16) * nIn * 16.
ptrdiff_t sn_packed_size(ptrdiff_t nIn, ptrdiff_t nOut);

// MARK: Shared scalar functions (one implementation for every ISA)

/// exp(x) for x clamped to [-87, 87]: never a denormal; max relative error 7.8e-8 (measured
/// against double exp over a 4M-point sweep of [-87, 87]).
float sn_exp(float x);
/// 1 / (1 + sn_exp(-z)).
float sn_sigmoid(float z);
/// tanh: odd polynomial for |z| < 0.625, else (1 - t)/(1 + t), t = sn_exp(-2|z|), sign restored.
float sn_tanh(float z);
/// The activation `act` of z (SN_ACT_*), as every ISA computes it.
float sn_activate(float z, int act);
/// Equation 3 and the cost for one-hot labels y (y[r][labels[r]] = 1), the one every path
/// trains with: out holds aᴸ (a softmax output layer's already applied, sn_softmax_rows).
///   SN_COST_QUADRATIC       δ = ((a − y)·a)·(1 − a)  (σ′ = a(1 − a)),  C = ½ Σ (a − y)²
///   SN_COST_CROSS_ENTROPY   δ = a − y,  C = −Σ ln(y ? a : 1 − a)
///   SN_COST_LOG_LIKELIHOOD  δ = a − y,  C = −ln a_label
/// Each ln of max(p, FLT_TRUE_MIN) (NaN stays NaN); C summed in double, row by row, unit by unit.
double sn_output_error(int kind, ptrdiff_t rows, ptrdiff_t nOut, const float *out, ptrdiff_t ldOut,
                       const int32_t *labels, float *delta, ptrdiff_t ldDelta);
/// Row-wise softmax in place (max-subtracted, sn_exp, sum in order, divide).
void sn_softmax_rows(ptrdiff_t rows, ptrdiff_t n, float *x, ptrdiff_t ld);

/// The columns k < n of the (rows, n) matrix at in (leading dimension ld) that hold a value
/// other than ±0 in some row, ascending, into cols (n entries of room); returns how many. The
/// list forward_cols and sgd_packed_cols take: a batch of ten MNIST digits has about half its
/// pixel columns 0 in every image. Runs the best ISA's nonzero_columns (chosen once at load).
ptrdiff_t sn_nonzero_columns(ptrdiff_t rows, ptrdiff_t n, const float *in, ptrdiff_t ld, int32_t *cols);

/// Asks the caches for rows order[0 ..< rows] of a row-major matrix (rowBytes bytes per row at
/// base) ahead of use, into L2: a hint only, no value changes.
void sn_prefetch_rows(const void *base, const int32_t *order, ptrdiff_t rows, ptrdiff_t rowBytes);

// MARK: dispatch (the CPU itself — brand, features, denormal flushing, spin hint — is CCPU's)

/// Non-zero when this CPU, its OS and this build support the ISA.
int sn_isa_supported(int isa);
/// dst[i] = (float)src[i] / 255 with the best ISA's scale_bytes (chosen once at load).
void sn_scale_bytes(const uint8_t *src, ptrdiff_t n, float *dst);
/// The fastest supported ISA.
int sn_isa_best(void);
/// "scalar", "avx2", "avx512", "neon" (or "unknown").
const char *sn_isa_name(int isa);

#ifdef __cplusplus
}
#endif

#endif
