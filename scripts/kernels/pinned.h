// What the two-thread replicas in this folder (rowstep.c, unitstep.c; cores.c pins only) share:
// pinning the calling thread to one core, and the spin barrier their threads meet at, as
// ShardNet's WorkerTeam waits (a CPU pause per spin, no sleeping). Header-only, Linux (the
// affinity call); include after defining _GNU_SOURCE.
#ifndef SHARDNET_SCRIPTS_PINNED_H
#define SHARDNET_SCRIPTS_PINNED_H
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

/// Runs the calling thread on core `cpu` only.
static inline void pin_to_core(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

/// The `threads` threads' barrier: `arrived` counts arrivals over all barriers (reset to 0
/// before the threads start), `generation` is the caller's own count of barriers it has met.
static inline void spin_barrier(atomic_long *arrived, int threads, long *generation) {
    const long g = ++*generation;
    atomic_fetch_add(arrived, 1);
    while (atomic_load(arrived) < g * threads) {
#if defined(__x86_64__)
        __builtin_ia32_pause();
#endif
    }
}
#endif
