#include "OctetCPUKernels.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>

// A few worker threads that spin a little after each job before they sleep. A kernel's parallel regions
// come one after another with short serial gaps; waking a sleeping thread costs 15-20 us, as long as a
// whole small convolution, while a spinning one starts at once.
//
// One job at a time: its parts are claimed through one atomic word holding the job's number, its part
// count and the next part, so a worker that is late for a job can never claim a part of the next one.

enum { max_workers = 63, spins_before_sleep = 20000 };

static pthread_mutex_t submit_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int workers;                      // guarded by submit_lock
static _Atomic uint32_t generation;      // the number of the latest job
static _Atomic int sleepers;
static _Atomic uint64_t claim;           // generation << 32 | parts << 16 | next part
static _Atomic intptr_t done;            // parts of the current job finished
static octet_task_fn job_fn;             // written before the job's claim word, read after a claim
static void *job_context;

// One step of a spin wait; every 256th step gives the core away, in case the thread being waited for
// (or another process) shares it.
static inline void relax(int step) {
    if ((step & 255) == 255) {
        sched_yield();
        return;
    }
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

// Claims and runs parts of job `number` until none is left; returns at once for any other job.
static void run_parts(uint32_t number) {
    for (;;) {
        uint64_t c = atomic_load_explicit(&claim, memory_order_acquire);
        uint32_t parts = (uint32_t)(c >> 16) & 0xffff, next = (uint32_t)c & 0xffff;
        if ((uint32_t)(c >> 32) != number || next >= parts) return;
        if (!atomic_compare_exchange_weak_explicit(&claim, &c, c + 1, memory_order_acq_rel, memory_order_acquire))
            continue;
        // The job cannot finish before this part does, so its function and context are still current.
        job_fn(job_context, next);
        atomic_fetch_add_explicit(&done, 1, memory_order_release);
    }
}

static void *worker_main(void *unused) {
    (void)unused;
    uint32_t seen = atomic_load(&generation);
    for (;;) {
        uint32_t number;
        int spins = 0;
        while ((number = atomic_load_explicit(&generation, memory_order_acquire)) == seen) {
            if (++spins < spins_before_sleep) {
                relax(spins);
                continue;
            }
            pthread_mutex_lock(&sleep_lock);
            atomic_fetch_add(&sleepers, 1);
            while ((number = atomic_load(&generation)) == seen) pthread_cond_wait(&wake, &sleep_lock);
            atomic_fetch_sub(&sleepers, 1);
            pthread_mutex_unlock(&sleep_lock);
            break;
        }
        seen = number;
        run_parts(number);
    }
    return 0;
}

int octet_parallel_run(ptrdiff_t parts, ptrdiff_t threads, octet_task_fn fn, void *context) {
    if (parts < 1 || parts > 0xffff) return 0;
    if (pthread_mutex_trylock(&submit_lock) != 0) return 0;  // another job (or a nested call) is running
    int wanted = (int)(threads - 1 < max_workers ? threads - 1 : max_workers);
    while (workers < wanted) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        int failed = pthread_create(&thread, &attributes, worker_main, 0);
        pthread_attr_destroy(&attributes);
        if (failed) break;
        workers++;
    }
    if (workers == 0) {
        pthread_mutex_unlock(&submit_lock);
        return 0;
    }
    job_fn = fn;
    job_context = context;
    atomic_store_explicit(&done, 0, memory_order_relaxed);
    uint32_t number = atomic_load(&generation) + 1;
    atomic_store_explicit(&claim, (uint64_t)number << 32 | (uint64_t)parts << 16, memory_order_release);
    atomic_store(&generation, number);
    if (atomic_load(&sleepers) > 0) {
        pthread_mutex_lock(&sleep_lock);
        pthread_cond_broadcast(&wake);
        pthread_mutex_unlock(&sleep_lock);
    }
    run_parts(number);
    for (int step = 0; atomic_load_explicit(&done, memory_order_acquire) < parts; step++) relax(step);
    pthread_mutex_unlock(&submit_lock);
    return 1;
}
