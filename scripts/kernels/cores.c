// Are this machine's cores equal, and do two of them run at once as fast as each alone? The
// bound on any two-thread speedup, measured without ShardNet: each core pinned in turn, then
// all of them at once, running (a) independent fused multiply-adds (8 chains of 8 floats, no
// memory) and (b) a sum over a 256 KB buffer that stays in the core's L2 — the two things a
// training step does most. On a shared VM two vCPUs can be unequal (a busier host core, an SMT
// sibling shared with another guest, or both vCPUs given one host core for a while — then
// "at once" is about half of "alone" and /proc/stat's steal time says so): a step cut in equal
// halves then waits for the slower.
// Usage: cores [repetitions]. Build and run with scripts/core-check.
#define _GNU_SOURCE
#include <immintrin.h>
#include "pinned.h"
#include <pthread.h>
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
    return 0;
}
