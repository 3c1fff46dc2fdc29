// The vector kernels, written once over a small set of vector macros and included by
// avx512.c, avx2.c and neon.c. Each output element is computed by exactly the same sequence
// of IEEE operations as scalar.c / common.c (fmas explicit, no contraction), so every ISA
// gives the same bits whatever its vector width.
//
// The including file defines:
//   V, VI          float / int32 vector types, W lanes (16 % W == 0)
//   SN_T           function attribute (target) for this ISA; SN_NAME(x) suffixes names
//   VLD(p) VST(p,v) VSET(x) VZERO(), VLD_U8(p) = W bytes at p as floats (exact)
//   VADD VSUB VMUL VDIV, VFMA(a,b,c) = a*b+c with one rounding
//   VSEL_LT(x,y,a,b) = x < y ? a : b (per lane, false for NaN)
//   VNEG(x) (sign flip), VABS(x), VCOPYSIGN(m,s) = |m| with the sign of s, VEXP_SCALE(y) = 2^n from y = 1.5*2^23 + n
//   optionally VLD_N(p,n) VST_N(p,v,n): the first n < W lanes, masked (else through a stack copy)
//   FWD_RB, FWD_PB: forward block rows x panels (optionally FWD_RB1, FWD_RB2: rows of one- and
//   two-panel blocks);  BWD_RB, BWD_KB: backward rows x vectors;
//   GRD_JB, GRD_KB: gradient units x vectors;  GUP_KB: inputs per tile of sgd_packed (at most 8);
//   GUP2_KB: inputs per two-panel tile of sgd_packed (0: one panel at a time; at most GUP_KB);
//   GUP2_PAIRED: 1 to run two equal shards' rows together in the two-panel tiles (default 0).
#include <math.h>

#define NV (SN_PANEL / W)
/// Rows per cache block of forward and backward: a multiple of the 6- and 8-row register blocks,
/// 192 x 784 inputs (602 KB) fit the L2 of current x86 cores.
#ifndef SN_ROW_CHUNK
#define SN_ROW_CHUNK 192
#endif
/// Floats of the gradient kernel's input slab (16 KB).
#ifndef SN_GRD_SLAB
#define SN_GRD_SLAB 4096
#endif
/// Units per slab of the backward kernel: SN_BWD_JC x BWD_KB*W floats = 8 KB, a quarter of
/// L1 (128 units for AVX2 and NEON, 32 for AVX-512), and the rows from which copying W's
/// columns into a slab pays.
#ifndef SN_BWD_JC
#define SN_BWD_JC (2048 / (BWD_KB * W))
#endif
#ifndef SN_BWD_COPY_ROWS
#define SN_BWD_COPY_ROWS 24
#endif
#define SN_AI SN_T __attribute__((always_inline)) static inline

/// The remainder of a blocked loop with the block size a constant again: runs CALL(n) for the
/// remainder n, 0 <= n < max <= 12, through a case per n, so each always-inline block function
/// is compiled for a constant count (unrolled, its accumulators in registers) as for a full
/// block. The cases n >= max never run (their `if` is false at compile time) and are compiled
/// away.
#define SN_TAIL_CASE(c, max, CALL) \
    case c:                        \
        if ((c) < (max)) CALL(c);  \
        break;
#define SN_TAIL(n, max, CALL)                                                                   \
    do {                                                                                        \
        _Static_assert((max) <= 12, "SN_TAIL takes remainders up to 11");                      \
        switch (n) {                                                                            \
            SN_TAIL_CASE(11, max, CALL) SN_TAIL_CASE(10, max, CALL) SN_TAIL_CASE(9, max, CALL) \
            SN_TAIL_CASE(8, max, CALL) SN_TAIL_CASE(7, max, CALL) SN_TAIL_CASE(6, max, CALL)   \
            SN_TAIL_CASE(5, max, CALL) SN_TAIL_CASE(4, max, CALL) SN_TAIL_CASE(3, max, CALL)   \
            SN_TAIL_CASE(2, max, CALL) SN_TAIL_CASE(1, max, CALL) default: break;              \
        }                                                                                       \
    } while (0)

#ifndef VST_N
/// The first n < W lanes at p, the rest 0 (an ISA without masked loads: through a stack copy).
SN_AI V SN_NAME(vld_n)(const float *p, int n) {
    float t[W];
    for (int i = 0; i < W; i++) t[i] = i < n ? p[i] : 0.0f;
    return VLD(t);
}
/// v's first n < W lanes stored at p, nothing after them.
SN_AI void SN_NAME(vst_n)(float *p, V v, int n) {
    float t[W];
    VST(t, v);
    for (int i = 0; i < n; i++) p[i] = t[i];
}
#define VLD_N(p, n) SN_NAME(vld_n)((p), (n))
#define VST_N(p, v, n) SN_NAME(vst_n)((p), (v), (n))
#endif
/// Rows and units per block of the backward and gradient kernels' last columns (fewer than W),
/// which run as one vector over zero-padded copies: 2 KB and 4 KB of stack with AVX-512.
#define SN_REST_ROWS 32
#define SN_REST_UNITS 64

SN_AI V SN_NAME(vexp)(V x) {
    x = VSEL_LT(x, VSET(SN_EXP_LO), VSET(SN_EXP_LO), x);
    x = VSEL_LT(VSET(SN_EXP_HI), x, VSET(SN_EXP_HI), x);
    V t = VMUL(x, VSET(SN_LOG2E));
    V y = VADD(t, VSET(SN_MAGIC));
    V n = VSUB(y, VSET(SN_MAGIC));
    V r = VFMA(n, VSET(-SN_LN2_HI), x);
    r = VFMA(n, VSET(-SN_LN2_LO), r);
    V p = VSET(SN_EXP_C7);
    p = VFMA(p, r, VSET(SN_EXP_C6));
    p = VFMA(p, r, VSET(SN_EXP_C5));
    p = VFMA(p, r, VSET(SN_EXP_C4));
    p = VFMA(p, r, VSET(SN_EXP_C3));
    p = VFMA(p, r, VSET(SN_EXP_C2));
    p = VFMA(p, r, VSET(SN_EXP_C1));
    p = VFMA(p, r, VSET(SN_EXP_C0));
    return VMUL(p, VEXP_SCALE(y));
}

SN_AI V SN_NAME(vact)(V z, int act) {
    switch (act) {
    case SN_ACT_SIGMOID: {
        V e = SN_NAME(vexp)(VNEG(z));
        return VDIV(VSET(1.0f), VADD(VSET(1.0f), e));
    }
    case SN_ACT_TANH: {
        V az = VABS(z);
        V s = VMUL(z, z);
        V q = VSET(SN_TANH_Q4);
        q = VFMA(q, s, VSET(SN_TANH_Q3));
        q = VFMA(q, s, VSET(SN_TANH_Q2));
        q = VFMA(q, s, VSET(SN_TANH_Q1));
        q = VFMA(q, s, VSET(SN_TANH_Q0));
        V small = VFMA(VMUL(z, s), q, z);
        V t = SN_NAME(vexp)(VMUL(VSET(-2.0f), az));
        V big = VCOPYSIGN(VDIV(VSUB(VSET(1.0f), t), VADD(VSET(1.0f), t)), z);
        return VSEL_LT(az, VSET(SN_TANH_SMALL), small, big);
    }
    case SN_ACT_RELU:
        return VSEL_LT(VZERO(), z, z, VZERO());
    default:
        return z;
    }
}

SN_AI V SN_NAME(vderiv)(V a, int act) {
    switch (act) {
    case SN_ACT_SIGMOID: return VMUL(a, VSUB(VSET(1.0f), a));
    case SN_ACT_TANH: return VSUB(VSET(1.0f), VMUL(a, a));
    case SN_ACT_RELU: return VSEL_LT(VZERO(), a, VSET(1.0f), VZERO());
    default: return VSET(1.0f);
    }
}

// MARK: forward

/// Rows per register block when a block holds a single panel (`FWD_RB1`, default FWD_RB): with
/// one vector per panel (AVX-512) FWD_RB rows are FWD_RB chains of fmas, fewer than the fma
/// pipes hold in flight (latency x ports = 8), so a range of one panel — a core's share of
/// 784-30-10 on two threads — ran at the chains' latency; FWD_RB1 rows fill them. Which rows
/// share a block changes no element's chain.
#ifndef FWD_RB1
#define FWD_RB1 FWD_RB
#endif
/// Rows per register block when a block holds two panels (`FWD_RB2`, default FWD_RB): the last
/// group of a range whose panels FWD_PB does not divide (784-30-10's two panels with FWD_PB 3).
#ifndef FWD_RB2
#define FWD_RB2 FWD_RB
#endif
#define FWD_RBMAX12 (FWD_RB1 > FWD_RB2 ? FWD_RB1 : FWD_RB2)
#define FWD_RBMAX (FWD_RBMAX12 > FWD_RB ? FWD_RBMAX12 : FWD_RB)

/// nr rows x np panels starting at panel pointer pk; jn = valid units from the first panel's start.
/// indexed: the chains run over the inputs cols[0 ..< nK] (forward_cols), else over all nK = nIn.
SN_AI void SN_NAME(fwd_block)(const int nr, const int np, const int indexed, ptrdiff_t nIn, ptrdiff_t nK,
                              const int32_t *cols, const float *in, ptrdiff_t ldIn,
                              const float *pk, const float *bias, float *out, ptrdiff_t ldOut,
                              ptrdiff_t jn, int act) {
    V acc[FWD_RBMAX][FWD_PB][NV];
    for (int r = 0; r < nr; r++)
        for (int p = 0; p < np; p++)
            for (int v = 0; v < NV; v++) acc[r][p][v] = VZERO();
    const ptrdiff_t ps = nIn * SN_PANEL;
    for (ptrdiff_t i = 0; i < nK; i++) {
        const ptrdiff_t k = indexed ? cols[i] : i;
        V w[FWD_PB][NV];
        for (int p = 0; p < np; p++)
            for (int v = 0; v < NV; v++) w[p][v] = VLD(pk + p * ps + k * SN_PANEL + v * W);
        for (int r = 0; r < nr; r++) {
            V x = VSET(in[r * ldIn + k]);
            for (int p = 0; p < np; p++)
                for (int v = 0; v < NV; v++) acc[r][p][v] = VFMA(x, w[p][v], acc[r][p][v]);
        }
    }
    for (int p = 0; p < np; p++)
        for (int v = 0; v < NV; v++) {
            ptrdiff_t u = p * SN_PANEL + v * W;
            if (u >= jn) continue;
            // A partial vector (the layer's last units): loaded and stored n < W lanes at a time.
            const int full = u + W <= jn, n = full ? W : (int)(jn - u);
            const V b = full ? VLD(bias + u) : VLD_N(bias + u, n);
            for (int r = 0; r < nr; r++) {
                V z = SN_NAME(vact)(VADD(acc[r][p][v], b), act);
                if (full) VST(out + r * ldOut + u, z);
                else VST_N(out + r * ldOut + u, z, n);
            }
        }
}

SN_AI void SN_NAME(fwd_rows)(const int np, const int indexed, ptrdiff_t rows, ptrdiff_t nIn, ptrdiff_t nK,
                             const int32_t *cols, const float *in, ptrdiff_t ldIn,
                             const float *pk, const float *bias, float *out, ptrdiff_t ldOut,
                             ptrdiff_t jn, int act) {
#define SN_FWD_NP(nr, npc) \
    SN_NAME(fwd_block)(nr, npc, indexed, nIn, nK, cols, in + r * ldIn, ldIn, pk, bias, out + r * ldOut, ldOut, jn, act)
#define SN_FWD(nr) SN_FWD_NP(nr, np)
    ptrdiff_t r = 0;
    if (FWD_RB1 != FWD_RB && np == 1) {
        for (; r + FWD_RB1 <= rows; r += FWD_RB1) SN_FWD_NP(FWD_RB1, 1);
    } else if (FWD_RB2 != FWD_RB && np == 2) {
        for (; r + FWD_RB2 <= rows; r += FWD_RB2) SN_FWD_NP(FWD_RB2, 2);
    } else {
        for (; r + FWD_RB <= rows; r += FWD_RB) SN_FWD(FWD_RB);
    }
    SN_TAIL(rows - r, FWD_RBMAX, SN_FWD);
#undef SN_FWD
#undef SN_FWD_NP
}

SN_AI void SN_NAME(forward_impl)(const int indexed, ptrdiff_t rows, ptrdiff_t nIn, ptrdiff_t nK, const int32_t *cols,
                                  ptrdiff_t j0, ptrdiff_t j1, const float *in, ptrdiff_t ldIn, const float *packed,
                                  const float *bias, float *out, ptrdiff_t ldOut, int act) {
    // Cache blocking: chunks of SN_ROW_CHUNK rows (the chunk of inputs stays in L2), and
    // within a chunk panel groups outer, so a group's packed weights (FWD_PB * nIn * 64 bytes)
    // stay in L1/L2 while every row block of the chunk streams past them.
    for (ptrdiff_t r0 = 0; r0 < rows; r0 += SN_ROW_CHUNK) {
        ptrdiff_t nr = rows - r0 < SN_ROW_CHUNK ? rows - r0 : SN_ROW_CHUNK;
        const float *x = in + r0 * ldIn;
        float *y = out + r0 * ldOut;
        for (ptrdiff_t j = j0, np; j < j1; j += np * SN_PANEL) {
            const float *pk = packed + (j / SN_PANEL) * nIn * SN_PANEL;
            const ptrdiff_t jn = j1 - j, left = (jn + SN_PANEL - 1) / SN_PANEL;
            // Groups of FWD_PB panels; with FWD_PB 3, the last four as 2 + 2 rather than 3 + 1 (a
            // lone panel's blocks load a vector per fma): 784-100-10's forward at 64 and 128 rows
            // 0.96-0.98 of the time (BASE=3fe8c1b SHAPES=large scripts/kernel-ab avx512). Which
            // panels share a block changes no element's chain.
            np = left < FWD_PB ? left : FWD_PB;
            if (FWD_PB == 3 && left == 4) np = 2;
            if (np == 1)
                SN_NAME(fwd_rows)(1, indexed, nr, nIn, nK, cols, x, ldIn, pk, bias + j, y + j, ldOut, jn < SN_PANEL ? jn : SN_PANEL, act);
            else if (FWD_PB > 2 && np == 2)
                SN_NAME(fwd_rows)(2, indexed, nr, nIn, nK, cols, x, ldIn, pk, bias + j, y + j, ldOut,
                                  jn < 2 * SN_PANEL ? jn : 2 * SN_PANEL, act);
            else
                SN_NAME(fwd_rows)(FWD_PB, indexed, nr, nIn, nK, cols, x, ldIn, pk, bias + j, y + j, ldOut,
                                  jn < FWD_PB * SN_PANEL ? jn : FWD_PB * SN_PANEL, act);
        }
    }
}

SN_T static void SN_NAME(forward)(ptrdiff_t rows, ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1,
                                  const float *in, ptrdiff_t ldIn, const float *packed, const float *bias,
                                  float *out, ptrdiff_t ldOut, int act) {
    SN_NAME(forward_impl)(0, rows, nIn, nIn, NULL, j0, j1, in, ldIn, packed, bias, out, ldOut, act);
}

SN_T static void SN_NAME(forward_cols)(ptrdiff_t rows, ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1,
                                       const float *in, ptrdiff_t ldIn, const float *packed, const float *bias,
                                       float *out, ptrdiff_t ldOut, int act, const int32_t *cols, ptrdiff_t nCols) {
    SN_NAME(forward_impl)(1, rows, nIn, nCols, cols, j0, j1, in, ldIn, packed, bias, out, ldOut, act);
}

// MARK: backward

/// nr rows x nk vectors of prev's columns k ..: the chains over units [j0, j0 + nj) of W, whose
/// row j0 + j starts at wp + j * ws (W itself, or a copied slab). first: the chains start
/// from 0, else from the partial sums stored in prev; last: multiply by act'(a) and store,
/// else store the partial sums (storing a float is exact: the same single chain over all j).
SN_AI void SN_NAME(bwd_block)(const int nr, const int nk, ptrdiff_t j0, ptrdiff_t nj, ptrdiff_t k,
                              const float *delta, ptrdiff_t ldDelta, const float *wp, ptrdiff_t ws,
                              const float *a, ptrdiff_t ldA, float *prev, ptrdiff_t ldPrev, int act,
                              int first, int last) {
    V acc[BWD_RB][BWD_KB];
    for (int r = 0; r < nr; r++)
        for (int v = 0; v < nk; v++) acc[r][v] = first ? VZERO() : VLD(prev + r * ldPrev + k + v * W);
    const float *d = delta + j0;
    for (ptrdiff_t j = 0; j < nj; j++) {
        V w[BWD_KB];
        for (int v = 0; v < nk; v++) w[v] = VLD(wp + j * ws + v * W);
        for (int r = 0; r < nr; r++) {
            V x = VSET(d[r * ldDelta + j]);
            for (int v = 0; v < nk; v++) acc[r][v] = VFMA(x, w[v], acc[r][v]);
        }
    }
    for (int r = 0; r < nr; r++)
        for (int v = 0; v < nk; v++) {
            V y = acc[r][v];
            if (last) y = VMUL(y, SN_NAME(vderiv)(VLD(a + r * ldA + k + v * W), act));
            VST(prev + r * ldPrev + k + v * W, y);
        }
}

SN_AI void SN_NAME(bwd_rows)(const int nk, ptrdiff_t rows, ptrdiff_t j0, ptrdiff_t nj, ptrdiff_t k,
                             const float *delta, ptrdiff_t ldDelta, const float *wp, ptrdiff_t ws,
                             const float *a, ptrdiff_t ldA, float *prev, ptrdiff_t ldPrev, int act,
                             int first, int last) {
#define SN_BWD(nr) SN_NAME(bwd_block)(nr, nk, j0, nj, k, delta + r * ldDelta, ldDelta, wp, ws, a + r * ldA, ldA, \
                                      prev + r * ldPrev, ldPrev, act, first, last)
    ptrdiff_t r = 0;
    for (; r + BWD_RB <= rows; r += BWD_RB) SN_BWD(BWD_RB);
    SN_TAIL(rows - r, BWD_RB, SN_BWD);
#undef SN_BWD
}

/// Columns [k, k + nk*W) of prev for a chunk of rows. When W's (nOut, nk*W) slice would not
/// fit L1 (nOut > SN_BWD_JC) and enough rows reuse it, the units run in chunks of SN_BWD_JC,
/// each chunk's slice copied into a contiguous slab first (W's rows are nIn apart; at a
/// power-of-two width they also fall into a few L1 sets). Copying changes no arithmetic; a
/// smaller slice is read in place (measured: copying it cost more than it saved).
SN_AI void SN_NAME(bwd_cols)(const int nk, ptrdiff_t rows, ptrdiff_t nIn, ptrdiff_t nOut, ptrdiff_t k,
                             const float *delta, ptrdiff_t ldDelta, const float *Wt,
                             const float *a, ptrdiff_t ldA, float *prev, ptrdiff_t ldPrev, int act) {
    if (rows < SN_BWD_COPY_ROWS || nOut <= SN_BWD_JC) {
        SN_NAME(bwd_rows)(nk, rows, 0, nOut, k, delta, ldDelta, Wt + k, nIn, a, ldA, prev, ldPrev, act, 1, 1);
        return;
    }
    float slab[SN_BWD_JC * BWD_KB * W] __attribute__((aligned(64)));
    const ptrdiff_t ws = nk * W;
    for (ptrdiff_t j0 = 0; j0 < nOut; j0 += SN_BWD_JC) {
        ptrdiff_t nj = nOut - j0 < SN_BWD_JC ? nOut - j0 : SN_BWD_JC;
        for (ptrdiff_t j = 0; j < nj; j++)
            for (int v = 0; v < nk; v++) VST(slab + j * ws + v * W, VLD(Wt + (j0 + j) * nIn + k + v * W));
        SN_NAME(bwd_rows)(nk, rows, j0, nj, k, delta, ldDelta, slab, ws, a, ldA, prev, ldPrev, act, j0 == 0, j0 + nj == nOut);
    }
}

/// The last nc < W columns k ..< k + nc of prev for a chunk of rows, as one vector over
/// zero-padded copies of those columns of W and a (made with masked loads, VLD_N; the padding
/// lanes are computed and dropped, the chains stored with VST_N): each element is the same fma
/// chain over j and the same product with act'(a) as in the scalar loop this replaced, with W
/// chains in flight at once instead of one (at 784-30-10's δ¹, 6 of 30 columns took most of the
/// kernel's time).
SN_AI void SN_NAME(bwd_rest)(ptrdiff_t nc, ptrdiff_t rows, ptrdiff_t nIn, ptrdiff_t nOut, ptrdiff_t k,
                             const float *delta, ptrdiff_t ldDelta, const float *Wt,
                             const float *a, ptrdiff_t ldA, float *prev, ptrdiff_t ldPrev, int act) {
    float ws[SN_REST_UNITS * W] __attribute__((aligned(64)));  // (units of the block, W): W's columns
    float as[SN_REST_ROWS * W] __attribute__((aligned(64)));   // (rows of the block, W): a's columns
    float ps[SN_REST_ROWS * W] __attribute__((aligned(64)));   // (rows of the block, W): the chains
    for (ptrdiff_t r0 = 0; r0 < rows; r0 += SN_REST_ROWS) {
        const ptrdiff_t nr = rows - r0 < SN_REST_ROWS ? rows - r0 : SN_REST_ROWS;
        for (ptrdiff_t r = 0; r < nr; r++) VST(as + r * W, VLD_N(a + (r0 + r) * ldA + k, (int)nc));
        // Unit blocks continue the chains from the stored partial sums (exact); no units: 0.
        for (ptrdiff_t j0 = 0; j0 < nOut || j0 == 0; j0 += SN_REST_UNITS) {
            const ptrdiff_t nj = nOut - j0 < SN_REST_UNITS ? nOut - j0 : SN_REST_UNITS;
            for (ptrdiff_t j = 0; j < nj; j++) VST(ws + j * W, VLD_N(Wt + (j0 + j) * nIn + k, (int)nc));
            SN_NAME(bwd_rows)(1, nr, j0, nj, 0, delta + r0 * ldDelta, ldDelta, ws, W, as, W, ps, W, act, j0 == 0, j0 + nj == nOut);
        }
        for (ptrdiff_t r = 0; r < nr; r++) VST_N(prev + (r0 + r) * ldPrev + k, VLD(ps + r * W), (int)nc);
    }
}

SN_T static void SN_NAME(backward)(ptrdiff_t rows, ptrdiff_t nIn, ptrdiff_t nOut, ptrdiff_t k0, ptrdiff_t k1,
                                   const float *delta, ptrdiff_t ldDelta, const float *Wt,
                                   const float *a, ptrdiff_t ldA, float *prev, ptrdiff_t ldPrev, int act) {
    // Cache blocking: chunks of SN_ROW_CHUNK rows (their deltas stay in L2), and within a chunk
    // column blocks outer, so the (nOut, BWD_KB*W) slice of W stays in L1/L2 for all rows.
    for (ptrdiff_t r0 = 0; r0 < rows; r0 += SN_ROW_CHUNK) {
        ptrdiff_t nr = rows - r0 < SN_ROW_CHUNK ? rows - r0 : SN_ROW_CHUNK;
        const float *dl = delta + r0 * ldDelta, *ac = a + r0 * ldA;
        float *pv = prev + r0 * ldPrev;
        ptrdiff_t k = k0;
        for (; k + BWD_KB * W <= k1; k += BWD_KB * W)
            SN_NAME(bwd_cols)(BWD_KB, nr, nIn, nOut, k, dl, ldDelta, Wt, ac, ldA, pv, ldPrev, act);
        for (; k + W <= k1; k += W)
            SN_NAME(bwd_cols)(1, nr, nIn, nOut, k, dl, ldDelta, Wt, ac, ldA, pv, ldPrev, act);
        if (k < k1) SN_NAME(bwd_rest)(k1 - k, nr, nIn, nOut, k, dl, ldDelta, Wt, ac, ldA, pv, ldPrev, act);
    }
}

// MARK: gradient

/// nablaW[j..j+nj][k..k+nk*W] over rows [r0, r1): the chains start from 0 (first row chunk)
/// or continue from the values stored by the previous chunk (storing a float is exact, so the
/// result is the same single fma chain over all rows).
/// xs points at row r0, column k of the inputs (or of a copied slab), rows ldX apart.
SN_AI void SN_NAME(grd_block)(const int nj, const int nk, ptrdiff_t r0, ptrdiff_t r1, ptrdiff_t nIn, ptrdiff_t j,
                              ptrdiff_t k, const float *delta, ptrdiff_t ldDelta, const float *xs, ptrdiff_t ldX,
                              float *nablaW, int add) {
    V acc[GRD_JB][GRD_KB];
    for (int i = 0; i < nj; i++)
        for (int v = 0; v < nk; v++) acc[i][v] = r0 == 0 ? VZERO() : VLD(nablaW + (j + i) * nIn + k + v * W);
    for (ptrdiff_t r = r0; r < r1; r++) {
        V x[GRD_KB];
        for (int v = 0; v < nk; v++) x[v] = VLD(xs + (r - r0) * ldX + v * W);
        for (int i = 0; i < nj; i++) {
            V d = VSET(delta[r * ldDelta + j + i]);
            for (int v = 0; v < nk; v++) acc[i][v] = VFMA(d, x[v], acc[i][v]);
        }
    }
    for (int i = 0; i < nj; i++)
        for (int v = 0; v < nk; v++) {
            float *p = nablaW + (j + i) * nIn + k + v * W;
            VST(p, add ? VADD(VLD(p), acc[i][v]) : acc[i][v]);
        }
}

SN_AI void SN_NAME(grd_units)(const int nk, ptrdiff_t r0, ptrdiff_t r1, ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1, ptrdiff_t k,
                              const float *delta, ptrdiff_t ldDelta, const float *xs, ptrdiff_t ldX,
                              float *nablaW, int add) {
    ptrdiff_t j = j0;
    for (; j + GRD_JB <= j1; j += GRD_JB)
        SN_NAME(grd_block)(GRD_JB, nk, r0, r1, nIn, j, k, delta, ldDelta, xs, ldX, nablaW, add);
#define SN_GRD(nj) SN_NAME(grd_block)(nj, nk, r0, r1, nIn, j, k, delta, ldDelta, xs, ldX, nablaW, add)
    SN_TAIL(j1 - j, GRD_JB, SN_GRD);
#undef SN_GRD
}

/// Columns [k, k + nk*W) of nablaW's units [j0, j1) over rows [r0, r1). When the inputs' rows
/// are a power-of-two width apart (they then share a few L1 sets), several unit blocks reread
/// them and the (rows, nk*W) slice fits SN_GRD_SLAB floats, the slice is copied into a
/// contiguous slab first. Copying changes no arithmetic.
SN_AI void SN_NAME(grd_cols)(const int nk, ptrdiff_t r0, ptrdiff_t r1, ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1, ptrdiff_t k,
                             const float *delta, ptrdiff_t ldDelta, const float *in, ptrdiff_t ldIn,
                             float *nablaW, int add) {
    const ptrdiff_t ws = nk * W, n = r1 - r0;
    if ((ldIn & (ldIn - 1)) != 0 || j1 - j0 <= GRD_JB || n * ws > SN_GRD_SLAB || n < 2) {
        SN_NAME(grd_units)(nk, r0, r1, nIn, j0, j1, k, delta, ldDelta, in + r0 * ldIn + k, ldIn, nablaW, add);
        return;
    }
    float slab[SN_GRD_SLAB] __attribute__((aligned(64)));
    for (ptrdiff_t r = 0; r < n; r++)
        for (int v = 0; v < nk; v++) VST(slab + r * ws + v * W, VLD(in + (r0 + r) * ldIn + k + v * W));
    SN_NAME(grd_units)(nk, r0, r1, nIn, j0, j1, k, delta, ldDelta, slab, ws, nablaW, add);
}

/// The last nc < W columns k ..< k + nc of nablaW's units [j0, j1), as one vector over a
/// zero-padded copy of those columns of the inputs (masked loads, VLD_N), the chains into a stack
/// block (padding lanes dropped), then stored — or added, when add — into nablaW with masked
/// stores (VST_N): each element the same fma chain over all rows as the scalar loop this
/// replaced, W chains in flight at once.
SN_AI void SN_NAME(grd_rest)(ptrdiff_t nc, ptrdiff_t rows, ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1, ptrdiff_t k,
                             const float *delta, ptrdiff_t ldDelta, const float *in, ptrdiff_t ldIn, float *nablaW, int add) {
    float xs[SN_REST_ROWS * W] __attribute__((aligned(64)));   // (rows of the block, W): the inputs' columns
    float gs[SN_REST_UNITS * W] __attribute__((aligned(64)));  // (units of the block, W): the chains
    for (ptrdiff_t jc = j0; jc < j1; jc += SN_REST_UNITS) {
        const ptrdiff_t nj = j1 - jc < SN_REST_UNITS ? j1 - jc : SN_REST_UNITS;
        // Row blocks continue the chains from the stored partial sums (exact); no rows: 0.
        for (ptrdiff_t r0 = 0; r0 < rows || r0 == 0; r0 += SN_REST_ROWS) {
            const ptrdiff_t r1 = rows - r0 < SN_REST_ROWS ? rows : r0 + SN_REST_ROWS;
            for (ptrdiff_t r = r0; r < r1; r++) VST(xs + (r - r0) * W, VLD_N(in + r * ldIn + k, (int)nc));
            SN_NAME(grd_units)(1, r0, r1, W, 0, nj, 0, delta + jc, ldDelta, xs, W, gs, 0);
        }
        for (ptrdiff_t j = 0; j < nj; j++) {
            float *p = nablaW + (jc + j) * nIn + k;
            const V g = VLD(gs + j * W);
            VST_N(p, add ? VADD(VLD_N(p, (int)nc), g) : g, (int)nc);
        }
    }
}

SN_AI void SN_NAME(gradient_impl)(ptrdiff_t rows, ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1,
                                   const float *delta, ptrdiff_t ldDelta, const float *in, ptrdiff_t ldIn,
                                   float *nablaW, float *nablaB, int add) {
    // Cache blocking: chunks of SN_ROW_CHUNK rows, and within a chunk column blocks outer, so
    // the (chunk rows, GRD_KB*W) slab of the inputs stays in L1/L2 for all units. Every chunk
    // after the first continues the chains from the stored partial sums (same bits). Adding
    // (add != 0) runs all rows as one chunk: the buffer holds the running sum, not a partial.
    ptrdiff_t kv = nIn - nIn % W, chunk = add ? (rows > 0 ? rows : 1) : SN_ROW_CHUNK;
    for (ptrdiff_t r0 = 0; r0 < rows || r0 == 0; r0 += chunk) {
        ptrdiff_t r1 = rows - r0 < chunk ? rows : r0 + chunk;
        ptrdiff_t k = 0;
        for (; k + GRD_KB * W <= kv; k += GRD_KB * W)
            SN_NAME(grd_cols)(GRD_KB, r0, r1, nIn, j0, j1, k, delta, ldDelta, in, ldIn, nablaW, add);
        for (; k < kv; k += W)
            SN_NAME(grd_cols)(1, r0, r1, nIn, j0, j1, k, delta, ldDelta, in, ldIn, nablaW, add);
    }
    if (kv < nIn) SN_NAME(grd_rest)(nIn - kv, rows, nIn, j0, j1, kv, delta, ldDelta, in, ldIn, nablaW, add);
    ptrdiff_t j = j0;
    for (; j + W <= j1; j += W) {
        V b = VZERO();
        for (ptrdiff_t r = 0; r < rows; r++) b = VADD(b, VLD(delta + r * ldDelta + j));
        VST(nablaB + j, add ? VADD(VLD(nablaB + j), b) : b);
    }
    for (; j < j1; j++) {
        float b = 0.0f;
        for (ptrdiff_t r = 0; r < rows; r++) b = b + delta[r * ldDelta + j];
        nablaB[j] = add ? nablaB[j] + b : b;
    }
}

SN_T static void SN_NAME(gradient)(ptrdiff_t rows, ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1,
                                   const float *delta, ptrdiff_t ldDelta, const float *in, ptrdiff_t ldIn,
                                   float *nablaW, float *nablaB) {
    SN_NAME(gradient_impl)(rows, nIn, j0, j1, delta, ldDelta, in, ldIn, nablaW, nablaB, 0);
}

SN_T static void SN_NAME(gradient_add)(ptrdiff_t rows, ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1,
                                       const float *delta, ptrdiff_t ldDelta, const float *in, ptrdiff_t ldIn,
                                       float *nablaW, float *nablaB) {
    SN_NAME(gradient_impl)(rows, nIn, j0, j1, delta, ldDelta, in, ldIn, nablaW, nablaB, 1);
}

// MARK: update

/// sgn p per lane, as sn_sign: 1, −1, or 0 (for 0 and NaN).
SN_AI V SN_NAME(vsgn)(V p) {
    return VSEL_LT(VZERO(), p, VSET(1.0f), VSEL_LT(p, VZERO(), VSET(-1.0f), VZERO()));
}

/// The plain update (mu == 0) of one vector, per lane the operations of sn_update_one:
/// decay·p − rate·g, then − l1·sgn p when useL1. unitDecay: decay is 1, so the product 1·p
/// (p, bit for bit) is skipped. Every plain update (update, sgd_packed's weights and biases) runs this.
SN_AI V SN_NAME(vplain)(V p, V g, V decay, V rate, V l1, int unitDecay, int useL1) {
    const V t = VSUB(unitDecay ? p : VMUL(decay, p), VMUL(rate, g));
    return useL1 ? VSUB(t, VMUL(l1, SN_NAME(vsgn)(p))) : t;
}

SN_T static void SN_NAME(update)(ptrdiff_t count, float *param, float *velocity, const float *const *grads,
                                 ptrdiff_t nGrads, ptrdiff_t offset, const sn_update *u) {
    const V rate = VSET(u->rate), decay = VSET(u->decay), l1 = VSET(u->l1), l2 = VSET(u->l2), mu = VSET(u->mu);
    const int useL1 = u->l1 != 0.0f, useL2 = u->l2 != 0.0f;
    ptrdiff_t i = offset, end = offset + count;
    if (u->mu == 0.0f) {
        for (; i + W <= end; i += W) {
            V g = VLD(grads[0] + i);
            for (ptrdiff_t s = 1; s < nGrads; s++) g = VADD(g, VLD(grads[s] + i));
            VST(param + i, SN_NAME(vplain)(VLD(param + i), g, decay, rate, l1, 0, useL1));
        }
    } else {
        const int nesterov = u->nesterov != 0;
        for (; i + W <= end; i += W) {
            V g = VLD(grads[0] + i);
            for (ptrdiff_t s = 1; s < nGrads; s++) g = VADD(g, VLD(grads[s] + i));
            V p = VLD(param + i);
            V q = VMUL(rate, g);
            if (useL2) q = VADD(q, VMUL(l2, p));
            if (useL1) q = VADD(q, VMUL(l1, SN_NAME(vsgn)(p)));
            V v = VSUB(VMUL(mu, VLD(velocity + i)), q);
            VST(velocity + i, v);
            VST(param + i, nesterov ? VADD(p, VSUB(VMUL(mu, v), q)) : VADD(p, v));
        }
    }
    for (; i < end; i++) {
        float g = grads[0][i];
        for (ptrdiff_t s = 1; s < nGrads; s++) g = g + grads[s][i];
        sn_update_one(param, velocity, i, g, u);
    }
}

// MARK: gradient and update in packed panels

#if !defined(GUP_KB) || GUP_KB > 8
#error "define GUP_KB (1 to 8) before including simd_impl.h"
#endif
#ifndef GUP2_KB
#define GUP2_KB 0
#endif
#if GUP2_KB > GUP_KB
#error "GUP2_KB (inputs per two-panel tile of sgd_packed) must not exceed GUP_KB"
#endif
#ifndef GUP2_PAIRED
#define GUP2_PAIRED 0
#endif

/// Inputs k ..< k + nk of np panels (1 or 2): the shards' gradient chains over their rows (each
/// from 0, in row order), summed in shard order, then the plain update of those entries of each
/// panel. Two panels share each row's input broadcasts, so a row costs np + nk loads for np·nk
/// fmas. plain: decay 1 and no L1, so p − rate·g without the product 1·p (which is p, bit for
/// bit). paired: the batch is two shards of n rows each, and their rows r and n + r run
/// together — two independent sets of chains in flight instead of one, each still from 0 in row
/// order, then shard 0's plus shard 1's, the same operations (AVX-512's two-panel tiles: 20
/// chains in its 32 registers). plain, np, nk and paired are constants where inlined. dp[q]:
/// panel q's deltas, (rows, 16), zero past the range's last unit; pp[q]: panel q.
SN_AI void SN_NAME(sgdp_tile)(const int plain, const int np, const int nk, const int indexed, const int paired, ptrdiff_t k,
                              const int32_t *cols, const ptrdiff_t *bounds, ptrdiff_t shards, const float *const dp[2],
                              const float *in, ptrdiff_t ldIn, float *const pp[2], const sn_update *u) {
    V g[GUP_KB][2 * NV], acc[GUP_KB][2 * NV];
    // The tile's i-th input: k + i, or cols[k + i] (sgd_packed_cols).
#define SN_KI(i) (indexed ? (ptrdiff_t)cols[k + (i)] : k + (i))
    for (int i = 0; i < nk; i++)
        for (int v = 0; v < np * NV; v++) g[i][v] = VZERO();  // a batch without rows updates with g = 0, as scalar
    if (paired) {
        const ptrdiff_t n = bounds[1];
        for (int i = 0; i < nk; i++)
            for (int v = 0; v < np * NV; v++) acc[i][v] = VZERO();
        for (ptrdiff_t r = 0; r < n; r++) {
            V d[2 * NV], e[2 * NV];  // the deltas of row r (shard 0) and of row n + r (shard 1)
            for (int q = 0; q < np; q++)
                for (int v = 0; v < NV; v++) {
                    d[q * NV + v] = VLD(dp[q] + r * SN_PANEL + v * W);
                    e[q * NV + v] = VLD(dp[q] + (n + r) * SN_PANEL + v * W);
                }
            for (int i = 0; i < nk; i++) {
                const V x = VSET(in[r * ldIn + SN_KI(i)]), y = VSET(in[(n + r) * ldIn + SN_KI(i)]);
                for (int v = 0; v < np * NV; v++) {
                    g[i][v] = VFMA(x, d[v], g[i][v]);
                    acc[i][v] = VFMA(y, e[v], acc[i][v]);
                }
            }
        }
        for (int i = 0; i < nk; i++)
            for (int v = 0; v < np * NV; v++) g[i][v] = VADD(g[i][v], acc[i][v]);
    }
    int first = 1;
    for (ptrdiff_t s = 0; s < (paired ? 0 : shards); s++) {  // paired: both summed above
        const ptrdiff_t r0 = bounds[s], r1 = bounds[s + 1];
        if (r1 <= r0) continue;  // an empty shard is skipped by the sum, as the reducer does
        for (int i = 0; i < nk; i++)
            for (int v = 0; v < np * NV; v++) acc[i][v] = VZERO();
        for (ptrdiff_t r = r0; r < r1; r++) {
            V d[2 * NV];
            for (int q = 0; q < np; q++)
                for (int v = 0; v < NV; v++) d[q * NV + v] = VLD(dp[q] + r * SN_PANEL + v * W);
            for (int i = 0; i < nk; i++) {
                V x = VSET(in[r * ldIn + SN_KI(i)]);
                for (int v = 0; v < np * NV; v++) acc[i][v] = VFMA(x, d[v], acc[i][v]);
            }
        }
        for (int i = 0; i < nk; i++)
            for (int v = 0; v < np * NV; v++) g[i][v] = first ? acc[i][v] : VADD(g[i][v], acc[i][v]);
        first = 0;
    }
    const V rate = VSET(u->rate), decay = VSET(u->decay), l1 = VSET(u->l1);
    const int useL1 = !plain && u->l1 != 0.0f;
    for (int i = 0; i < nk; i++)
        for (int q = 0; q < np; q++)
            for (int v = 0; v < NV; v++) {
                float *e = pp[q] + SN_KI(i) * SN_PANEL + v * W;
                VST(e, SN_NAME(vplain)(VLD(e), g[i][q * NV + v], decay, rate, l1, plain, useL1));
            }
#undef SN_KI
}

/// sgd_packed's deltas of one panel: dp[r][u] = delta[r][u] for u < jn, 0 after — (rows, 16),
/// a copy, whole vectors and the last partial one masked.
SN_AI void SN_NAME(delta_panel)(ptrdiff_t rows, const float *delta, ptrdiff_t ldDelta, ptrdiff_t jn, float *dp) {
    for (ptrdiff_t r = 0; r < rows; r++)
        for (int v = 0; v < NV; v++) {
            const ptrdiff_t u = v * W;
            const V d = u + W <= jn ? VLD(delta + r * ldDelta + u) : (u < jn ? VLD_N(delta + r * ldDelta + u, (int)(jn - u)) : VZERO());
            VST(dp + r * SN_PANEL + u, d);
        }
}

/// sgd_packed's bias update for the panel's first jn units, W units a vector: per shard with rows,
/// b = 0 + δ[r0] + … in row order, the shards' sums added in shard order, then the update
/// vplain (decay·p − rate·g, − l1·sgn p). dp: the panel's deltas (rows, 16).
SN_AI void SN_NAME(bias_update)(const ptrdiff_t *bounds, ptrdiff_t shards, const float *dp, ptrdiff_t jn, float *bias,
                                const sn_update *u) {
    const V zero = VZERO(), rate = VSET(u->rate), decay = VSET(u->decay), l1 = VSET(u->l1);
    const int useL1 = u->l1 != 0.0f;
    for (int v = 0; v < NV && v * W < jn; v++) {
        const ptrdiff_t j = v * W;
        V g = zero;  // a batch without rows updates with g = 0, as scalar
        int first = 1;
        for (ptrdiff_t s = 0; s < shards; s++) {
            if (bounds[s + 1] <= bounds[s]) continue;
            V b = zero;
            for (ptrdiff_t r = bounds[s]; r < bounds[s + 1]; r++) b = VADD(b, VLD(dp + r * SN_PANEL + j));
            g = first ? b : VADD(g, b);
            first = 0;
        }
        const int full = j + W <= jn, n = full ? W : (int)(jn - j);
        const V t = SN_NAME(vplain)(full ? VLD(bias + j) : VLD_N(bias + j, n), g, decay, rate, l1, 0, useL1);
        if (full) VST(bias + j, t);
        else VST_N(bias + j, t, n);
    }
}

/// The nK inputs of np panels (all nIn, or cols[0 ..< nK] when indexed), GUP_KB (one panel) or
/// GUP2_KB (two) inputs per tile.
SN_AI void SN_NAME(sgdp_panels)(const int plain, const int np, const int indexed, const int paired, ptrdiff_t nK,
                                const int32_t *cols, const ptrdiff_t *bounds, ptrdiff_t shards, const float *const dp[2],
                                const float *in, ptrdiff_t ldIn, float *const pp[2], const sn_update *u) {
    const int kb = np == 2 ? GUP2_KB : GUP_KB;
    ptrdiff_t k = 0;
    for (; k + kb <= nK; k += kb) SN_NAME(sgdp_tile)(plain, np, kb, indexed, paired, k, cols, bounds, shards, dp, in, ldIn, pp, u);
#define SN_SGDP(nk) SN_NAME(sgdp_tile)(plain, np, nk, indexed, paired, k, cols, bounds, shards, dp, in, ldIn, pp, u)
    SN_TAIL(nK - k, GUP_KB, SN_SGDP);  // kb <= GUP_KB
#undef SN_SGDP
}

/// indexed: the weights of the inputs cols[0 ..< nK] only (sgd_packed_cols, plain updates), else
/// of all nK = nIn.
SN_AI void SN_NAME(sgd_packed_impl)(const int indexed, ptrdiff_t nIn, ptrdiff_t nK, const int32_t *cols, ptrdiff_t j0,
                                    ptrdiff_t j1, const ptrdiff_t *bounds, ptrdiff_t shards, const float *delta,
                                    ptrdiff_t ldDelta, const float *in, ptrdiff_t ldIn, float *packed, float *bias,
                                    const sn_update *wu, const sn_update *bu) {
    const ptrdiff_t rows = bounds[shards];
    float dps[2][SN_SGD_PACKED_MAX_ROWS * SN_PANEL] __attribute__((aligned(64)));
    const int plain = wu->decay == 1.0f && wu->l1 == 0.0f;  // p − rate·g: 1·p is p, bit for bit
    // Two shards of equal rows (Nielsen's m = 10 on two cores): their rows together in the
    // two-panel tiles, where the ISA has the registers (GUP2_PAIRED).
    const int paired = GUP2_PAIRED && shards == 2 && bounds[1] > 0 && bounds[2] == 2 * bounds[1];
    ptrdiff_t p = j0 / SN_PANEL;
    while (p * SN_PANEL < j1) {
        // Two panels at a time where the range has two left (GUP2_KB > 0), else one.
        const int np = GUP2_KB > 0 && (p + 1) * SN_PANEL < j1 ? 2 : 1;
        const float *dp[2] = {dps[0], dps[1]};
        float *pp[2] = {packed + p * nIn * SN_PANEL, np == 2 ? packed + (p + 1) * nIn * SN_PANEL : NULL};
        ptrdiff_t jn[2];
        for (int q = 0; q < np; q++) {
            const ptrdiff_t u0 = (p + q) * SN_PANEL;
            jn[q] = j1 - u0 < SN_PANEL ? j1 - u0 : SN_PANEL;
            SN_NAME(delta_panel)(rows, delta + u0, ldDelta, jn[q], dps[q]);
        }
        // Each combination a constant for the inlined tiles (the two-panel ones only where built).
        if (GUP2_KB > 0 && np == 2) {
            if (paired) {
                if (plain) SN_NAME(sgdp_panels)(1, 2, indexed, 1, nK, cols, bounds, shards, dp, in, ldIn, pp, wu);
                else SN_NAME(sgdp_panels)(0, 2, indexed, 1, nK, cols, bounds, shards, dp, in, ldIn, pp, wu);
            } else if (plain) SN_NAME(sgdp_panels)(1, 2, indexed, 0, nK, cols, bounds, shards, dp, in, ldIn, pp, wu);
            else SN_NAME(sgdp_panels)(0, 2, indexed, 0, nK, cols, bounds, shards, dp, in, ldIn, pp, wu);
        } else if (plain) SN_NAME(sgdp_panels)(1, 1, indexed, 0, nK, cols, bounds, shards, dp, in, ldIn, pp, wu);
        else SN_NAME(sgdp_panels)(0, 1, indexed, 0, nK, cols, bounds, shards, dp, in, ldIn, pp, wu);
        for (int q = 0; q < np; q++) SN_NAME(bias_update)(bounds, shards, dps[q], jn[q], bias + (p + q) * SN_PANEL, bu);
        p += np;
    }
}

SN_T static void SN_NAME(sgd_packed)(ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1, const ptrdiff_t *bounds, ptrdiff_t shards,
                                     const float *delta, ptrdiff_t ldDelta, const float *in, ptrdiff_t ldIn,
                                     float *packed, float *bias, const sn_update *wu, const sn_update *bu) {
    SN_NAME(sgd_packed_impl)(0, nIn, nIn, NULL, j0, j1, bounds, shards, delta, ldDelta, in, ldIn, packed, bias, wu, bu);
}

SN_T static void SN_NAME(sgd_packed_cols)(ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1, const ptrdiff_t *bounds, ptrdiff_t shards,
                                          const float *delta, ptrdiff_t ldDelta, const float *in, ptrdiff_t ldIn,
                                          float *packed, float *bias, const sn_update *wu, const sn_update *bu,
                                          const int32_t *cols, ptrdiff_t nCols) {
    // A skipped input's weights still change under decay or L1: then every input is updated.
    if (wu->decay == 1.0f && wu->l1 == 0.0f)
        SN_NAME(sgd_packed_impl)(1, nIn, nCols, cols, j0, j1, bounds, shards, delta, ldDelta, in, ldIn, packed, bias, wu, bu);
    else SN_NAME(sgd_packed_impl)(0, nIn, nIn, NULL, j0, j1, bounds, shards, delta, ldDelta, in, ldIn, packed, bias, wu, bu);
}

// MARK: bytes to [0, 1]

/// The bytes as (float)v / 255, one correctly rounded division each, without a vector division
/// (vdivps is 10-16 cycles per vector on recent x86 cores): 1/255 as a sum of two floats,
/// hi = RN(1/255) and lo = RN(1/255 − hi), and q = fma(v, hi, v·lo). Before its one rounding
/// the fma's sum is within about 2^-47 of v/255 (relative), and no quotient v/255 with v < 256
/// lies that close to a halfway point between floats, so q is the division's bits; two
/// operations where q = v·hi plus a correction step took four. BitwiseTests checks all 256
/// values on every ISA against scalar.c's (float)v / 255.
SN_AI V SN_NAME(vscale_u8)(const uint8_t *p) {
    const V x = VLD_U8(p);
    return VFMA(x, VSET(SN_INV255_HI), VMUL(x, VSET(SN_INV255_LO)));
}

SN_T static void SN_NAME(scale_bytes)(const uint8_t *src, ptrdiff_t n, float *dst) {
    ptrdiff_t i = 0;
    for (; i + W <= n; i += W) VST(dst + i, SN_NAME(vscale_u8)(src + i));
    for (; i < n; i++) dst[i] = (float)src[i] / 255.0f;
}

const sn_kernels SN_NAME(sn_kernels) = {
    SN_ISA_NAME, SN_ISA_CODE, SN_NAME(forward), SN_NAME(backward), SN_NAME(gradient), SN_NAME(gradient_add), SN_NAME(update),
    SN_NAME(scale_bytes),
    SN_NAME(sgd_packed),
#ifdef SN_PACK_FN
    SN_PACK_FN,
#else
    sn_pack_scalar,
#endif
#ifdef SN_UNPACK_FN
    SN_UNPACK_FN,
#else
    sn_unpack_scalar,
#endif
    SN_NAME(forward_cols),
    SN_NAME(sgd_packed_cols),
#ifdef SN_NONZERO_FN
    SN_NONZERO_FN,
#else
    sn_nonzero_columns_scalar,
#endif
};

#undef NV
#undef SN_AI
