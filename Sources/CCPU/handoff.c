// The one-way hand-off of a cache line between two cores: what each barrier of a multi-thread
// step costs at least. Two threads take turns through one counter on its own cache line, each
// waiting (with the spin hint) for its turn and passing it on. On Linux they are pinned to the
// first two CPUs the process may run on; elsewhere the OS places them.
#if defined(__linux__)
#define _GNU_SOURCE
#include <sched.h>
#endif
#include "shardnet_cpu.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

typedef struct {
    _Alignas(64) atomic_long turn;  // whose turn: even for side 0, odd for side 1
    char pad[64 - sizeof(atomic_long)];
    long rounds;
    int cpu[2];                     // -1: leave the thread where the OS puts it
    double deadline;                // monotonic seconds after which the probe gives up
    double seconds;                 // out: side 0's time over the timed hand-offs; 0 if it gave up
} handoff_probe;

static double monotonic_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void pin(int cpu) {
#if defined(__linux__)
    if (cpu < 0) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
#else
    (void)cpu;
#endif
}

// One side's turns: waits for turn 2r + side, passes it on as 2r + side + 1. Side 0 times the
// hand-offs from receiving turn 2w to receiving its last, 2(rounds − 1): the first w rounds
// (a quarter) leave out the other thread's start. A probe that outlives its deadline (a
// thread descheduled for long on a loaded machine) stops: side 0 swaps the turn for −1, which
// both sides take as the end, and nothing is measured.
static void take_turns(handoff_probe *p, int side) {
    pin(p->cpu[side]);
    const long w = p->rounds / 4;
    double t0 = 0;
    for (long r = 0; r < p->rounds; r++) {
        const long mine = 2 * r + side;
        for (long spins = 1;; spins++) {
            const long turn = atomic_load_explicit(&p->turn, memory_order_acquire);
            if (turn == mine) break;
            if (turn < 0) return;
            // Giving up swaps the other side's turn for −1; if the turn moved meanwhile, wait on.
            if (side == 0 && (spins & 4095) == 0 && monotonic_seconds() > p->deadline &&
                atomic_compare_exchange_strong(&p->turn, &(long){turn}, -1))
                return;
            shardnet_cpu_relax();
        }
        if (side == 0 && r == w) t0 = monotonic_seconds();
        if (side == 0 && r == p->rounds - 1) p->seconds = monotonic_seconds() - t0;
        // Passing the turn is a swap from our own: it fails only if side 0 gave up meanwhile.
        if (!atomic_compare_exchange_strong(&p->turn, &(long){mine}, mine + 1)) return;
    }
}

static void *side_one(void *arg) {
    take_turns(arg, 1);
    return NULL;
}

double shardnet_cpu_handoff_ns(long rounds) {
    if (rounds < 8) return -1;
    int cpu[2] = {-1, -1};
#if defined(__linux__)
    // The first two CPUs this process may use; fewer than two: nothing to measure.
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return -1;
    int found = 0;
    for (int c = 0; c < CPU_SETSIZE && found < 2; c++)
        if (CPU_ISSET(c, &allowed)) cpu[found++] = c;
    if (found < 2) return -1;
    // The calling thread is pinned for the probe only: its affinity is restored after.
    cpu_set_t saved;
    if (pthread_getaffinity_np(pthread_self(), sizeof saved, &saved) != 0) return -1;
#endif
    void *memory = NULL;
    if (posix_memalign(&memory, 64, sizeof(handoff_probe)) != 0) return -1;
    handoff_probe *p = memory;
    atomic_init(&p->turn, 0);
    p->rounds = rounds;
    p->cpu[0] = cpu[0];
    p->cpu[1] = cpu[1];
    p->seconds = 0;
    p->deadline = monotonic_seconds() + 0.25;
    pthread_t other;
    double ns = -1;
    if (pthread_create(&other, NULL, side_one, p) == 0) {
        take_turns(p, 0);
        pthread_join(other, NULL);
        if (p->seconds > 0) ns = p->seconds / (double)(2 * (rounds - 1 - rounds / 4)) * 1e9;
    }
#if defined(__linux__)
    pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
#endif
    free(memory);
    return ns;
}
