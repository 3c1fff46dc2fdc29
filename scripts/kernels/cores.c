// Are this machine's cores equal, and do two of them run at once as fast as each alone? The
// bound on any two-thread speedup, measured without ShardNet: each core pinned in turn, then
// all of them at once, running (a) independent fused multiply-adds (8 chains of 8 floats, no
// memory) and (b) a sum over a 256 KB buffer that stays in the core's L2 — the two things a
// training step does most. On a shared VM two vCPUs can be unequal (a busier host core, an SMT
// sibling shared with another guest, or both vCPUs given one host core for a while — then
// "at once" is about half of "alone" and /proc/stat's steal time says so): a step cut in equal
// halves then waits for the slower.
// Then what moving data between two cores costs, which a step that splits work across cores
// pays at every hand-off: (c) the one-way hand-off of a cache line (two pinned threads passing a
// counter back and forth, as WorkerTeam's threads meet at a phase), and (d) reading and
// rewriting 256 KB that the other core has just written (as the shard schedule's reducer reads
// the other core's gradient and then rewrites parameters the other core has read), against the
// same on one core. On a VM both can change from one second to the next as the host moves the
// vCPUs; each repetition prints its own figure.
// Usage: cores [repetitions]. Build and run with scripts/core-check. (To watch (c) alone over
// time, `shardnet info --system` measures it in the product: Sources/CCPU/handoff.c.)
#define _GNU_SOURCE
#include <immintrin.h>
#include "pinned.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include "timing.h"
#include <time.h>
#include <unistd.h>


typedef struct {
    int cpu;           // the core this thread is pinned to
    int kind;          // 0: fma, 1: L2 sum
    pthread_barrier_t *start;
    double rate;       // GFLOP/s (fma) or GB/s (L2), out
} job;

__attribute__((target("avx2,fma"))) static double fma_rate(void) {
    __m256 a[8], m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < 8; i++) a[i] = _mm256_set1_ps((float)i);
    const long n = 50000000;
    double t0 = now();
    for (long i = 0; i < n; i++)
        for (int j = 0; j < 8; j++) a[j] = _mm256_fmadd_ps(a[j], m, c);
    double t = now() - t0;
    float out[8];
    __m256 s = a[0];
    for (int j = 1; j < 8; j++) s = _mm256_add_ps(s, a[j]);
    _mm256_storeu_ps(out, s);
    if (out[0] == 12345.0f) puts("");  // keep the chains alive
    return (double)n * 8 * 8 * 2 / t * 1e-9;
}

__attribute__((target("avx2,fma"))) static double l2_rate(void) {
    const long floats = 256 * 1024 / 4;
    float *b = aligned_alloc(64, (size_t)floats * 4);
    for (long i = 0; i < floats; i++) b[i] = 1.0f;
    __m256 s[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    const long passes = 8000;
    double t0 = now();
    for (long p = 0; p < passes; p++)
        for (long i = 0; i < floats; i += 32)
            for (int j = 0; j < 4; j++) s[j] = _mm256_add_ps(s[j], _mm256_load_ps(b + i + 8 * j));
    double t = now() - t0;
    float out[8];
    _mm256_storeu_ps(out, _mm256_add_ps(_mm256_add_ps(s[0], s[1]), _mm256_add_ps(s[2], s[3])));
    if (out[0] == 12345.0f) puts("");
    free(b);
    return (double)passes * floats * 4 / t * 1e-9;
}

static void *run(void *arg) {
    job *j = arg;
    pin_to_core(j->cpu);
    pthread_barrier_wait(j->start);
    j->rate = j->kind == 0 ? fma_rate() : l2_rate();
    return NULL;
}

// (c) and (d): two threads pinned to cores `a` and `b`, taking turns through `turn` (its own
// cache line). Hand-off: each waits for its turn and passes it on, `rounds` times; one way costs
// the elapsed time / (2 · rounds). Transfer: the thread whose turn it is reads the whole buffer
// (a sum) and writes it anew in the same pass, then passes the turn — every line it reads the
// other core wrote last. With a = b one thread plays both sides (the same work, no core
// crossing: the reference).
typedef struct {
    int cpu, side, kind;   // kind 2: hand-off, 3: transfer
    long rounds;
    atomic_long *turn;
    float *buffer;
    long floats;
    double seconds;        // out
} pair_job;

__attribute__((target("avx2"))) static float touch(float *b, long floats, float v) {
    __m256 s = _mm256_setzero_ps(), x = _mm256_set1_ps(v);
    for (long i = 0; i < floats; i += 8) {
        s = _mm256_add_ps(s, _mm256_load_ps(b + i));
        _mm256_store_ps(b + i, x);
    }
    float out[8];
    _mm256_storeu_ps(out, s);
    return out[0];
}

static void *pair_run(void *arg) {
    pair_job *j = arg;
    pin_to_core(j->cpu);
    float sink = 0;
    double t0 = now();
    for (long r = 0; r < j->rounds; r++) {
        long mine = 2 * r + j->side;
        while (atomic_load_explicit(j->turn, memory_order_acquire) != mine) __builtin_ia32_pause();
        if (j->kind == 3) sink += touch(j->buffer, j->floats, (float)mine);
        atomic_store_explicit(j->turn, mine + 1, memory_order_release);
    }
    j->seconds = now() - t0;
    if (sink == 12345.0f) puts("");
    return NULL;
}

// Nanoseconds per one-way hand-off (kind 2) or GB/s of the buffer's passes (kind 3) between cores a and b.
static double pair_measure(int a, int b, int kind) {
    static _Alignas(64) atomic_long turn[8];  // turn[0] used; the array fills its cache line
    const long floats = 256 * 1024 / 4;
    float *buffer = aligned_alloc(64, (size_t)floats * 4);
    for (long i = 0; i < floats; i++) buffer[i] = 1.0f;
    const long rounds = kind == 2 ? 200000 : 2000;
    double seconds;
    atomic_store(&turn[0], 0);
    if (a == b) {
        // One thread, both sides in turn: the same loads and stores, no other core involved.
        pin_to_core(a);
        float sink = 0;
        double t0 = now();
        for (long r = 0; r < 2 * rounds; r++) {
            if (atomic_load_explicit(&turn[0], memory_order_acquire) != r) abort();
            if (kind == 3) sink += touch(buffer, floats, (float)r);
            atomic_store_explicit(&turn[0], r + 1, memory_order_release);
        }
        seconds = now() - t0;
        if (sink == 12345.0f) puts("");
    } else {
        pthread_t threads[2];
        pair_job jobs[2];
        for (int side = 0; side < 2; side++) {
            jobs[side] = (pair_job){side ? b : a, side, kind, rounds, &turn[0], buffer, floats, 0};
            pthread_create(&threads[side], NULL, pair_run, &jobs[side]);
        }
        for (int side = 0; side < 2; side++) pthread_join(threads[side], NULL);
        seconds = jobs[0].seconds > jobs[1].seconds ? jobs[0].seconds : jobs[1].seconds;
    }
    free(buffer);
    return kind == 2 ? seconds / (2.0 * rounds) * 1e9 : 2.0 * rounds * floats * 4 / seconds * 1e-9;
}

// The machine's steal time so far, in clock ticks (/proc/stat: time the hypervisor ran
// something else while this guest's vCPUs wanted to run); -1 where not available.
static long long steal_ticks(void) {
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return -1;
    long long v[8] = {0};
    int got = fscanf(f, "cpu %lld %lld %lld %lld %lld %lld %lld %lld", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
    fclose(f);
    return got == 8 ? v[7] : -1;
}

// Runs `kind` on the cores listed, at once; rates[i] for cores[i].
static void measure(const int *cores, int count, int kind, double *rates) {
    pthread_t threads[64];
    job jobs[64];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)count);
    for (int i = 0; i < count; i++) {
        jobs[i] = (job){cores[i], kind, &start, 0};
        pthread_create(&threads[i], NULL, run, &jobs[i]);
    }
    for (int i = 0; i < count; i++) {
        pthread_join(threads[i], NULL);
        rates[i] = jobs[i].rate;
    }
    pthread_barrier_destroy(&start);
}

int main(int argc, char **argv) {
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
        fprintf(stderr, "cores: this check needs AVX2 and FMA (x86-64)\n");
        return 1;
    }
    int reps = argc > 1 ? atoi(argv[1]) : 3;
    int n = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (n > 64) n = 64;
    int cores[64];
    for (int i = 0; i < n; i++) cores[i] = i;
    const char *names[2] = {"fma (GFLOP/s)", "L2 sum, 256 KB (GB/s)"};
    const double tick = (double)sysconf(_SC_CLK_TCK);
    printf("| test | repetition | core | alone | all %d at once | at once / alone | steal while at once |\n"
           "|---|---:|---:|---:|---:|---:|---:|\n", n);
    for (int kind = 0; kind < 2; kind++)
        for (int r = 0; r < reps; r++) {
            double alone[64], together[64];
            for (int i = 0; i < n; i++) measure(&cores[i], 1, kind, &alone[i]);
            long long s0 = steal_ticks();
            double t0 = now();
            measure(cores, n, kind, together);
            double seconds = now() - t0;
            long long s1 = steal_ticks();
            char steal[32] = "n/a";
            if (s0 >= 0 && s1 >= 0) snprintf(steal, sizeof steal, "%.0f%%", 100.0 * (double)(s1 - s0) / tick / (seconds * n));
            for (int i = 0; i < n; i++)
                printf("| %s | %d | %d | %.1f | %.1f | %.2f | %s |\n", names[kind], r + 1, i, alone[i], together[i],
                       together[i] / alone[i], steal);
            fflush(stdout);
        }
    if (n < 2) return 0;
    printf("\n| test | repetition | cores | on one core | between the cores | between / one core | steal while between |\n"
           "|---|---:|---|---:|---:|---:|---:|\n");
    const char *pair_names[2] = {"hand-off of a cache line, one way (ns)", "read and rewrite 256 KB the other core wrote (GB/s)"};
    for (int kind = 2; kind < 4; kind++)
        for (int r = 0; r < reps; r++)
            for (int i = 1; i < n; i++) {
                double one = pair_measure(0, 0, kind);
                long long s0 = steal_ticks();
                double t0 = now();
                double between = pair_measure(0, i, kind);
                double seconds = now() - t0;
                long long s1 = steal_ticks();
                char steal[32] = "n/a";
                if (s0 >= 0 && s1 >= 0) snprintf(steal, sizeof steal, "%.0f%%", 100.0 * (double)(s1 - s0) / tick / (seconds * 2));
                char ratio[32] = "—";  // a hand-off on one core crosses nothing: no ratio
                if (kind == 3) snprintf(ratio, sizeof ratio, "%.2f", between / one);
                printf("| %s | %d | 0, %d | %.1f | %.1f | %s | %s |\n", pair_names[kind - 2], r + 1, i, one, between, ratio, steal);
                fflush(stdout);
            }
    return 0;
}
