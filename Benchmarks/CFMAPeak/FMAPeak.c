// The loops behind CFMAPeak.h. Each keeps independent accumulators, a ← a·b + c, so that no
// operation waits for the one before it: a core with two FMA units of four cycles' latency needs
// eight chains in flight to issue two per cycle. There are twelve with 256-bit or 128-bit vectors
// (twelve accumulators, b, c and a temporary fit the sixteen registers, so nothing spills) and
// twenty-four with 512-bit ones (thirty-two registers). With b = 1 − 2⁻²⁰ and c = 2⁻²⁰ every chain
// stays near 1 (it converges to c / (1 − b) = 1): no overflow, no denormals. The starting values
// and the constants are read from volatile memory and every lane of every chain is summed into the
// result, so the compiler can neither fold a chain away nor drop the loop.
#define _GNU_SOURCE
#include "CFMAPeak.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CFMAPEAK_X86 1
#endif

enum { CHAINS = 12, WIDE_CHAINS = 24 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/// Lanes per vector and chains per loop of each instruction set.
static const int lanes[CFMAPeakCount] = {4, 8, 16};
static const int chains[CFMAPeakCount] = {CHAINS, CHAINS, WIDE_CHAINS};

/// What the loops start from, in memory the compiler must read at run time.
static volatile float start_value = 1.0f, b_value = 1.0f - 1.0f / 1048576.0f, c_value = 1.0f / 1048576.0f;

/// The sum of all n floats at p.
static float sum(const float *p, int n) {
    float s = 0;
    for (int i = 0; i < n; i++) s += p[i];
    return s;
}

#ifdef CFMAPEAK_X86
// SSE2 has no fused multiply-add: a multiply and an add, still 2 FLOPs per lane.
static float loop_sse(long iterations) {
    __m128 a[CHAINS];
    const __m128 b = _mm_set1_ps(b_value), c = _mm_set1_ps(c_value);
    for (int i = 0; i < CHAINS; i++) a[i] = _mm_set1_ps(start_value + (float)i / 64);
    for (long it = 0; it < iterations; it++)
        for (int i = 0; i < CHAINS; i++) a[i] = _mm_add_ps(_mm_mul_ps(a[i], b), c);
    float out[CHAINS * 4];
    for (int i = 0; i < CHAINS; i++) _mm_storeu_ps(out + 4 * i, a[i]);
    return sum(out, CHAINS * 4);
}

__attribute__((target("avx2,fma")))
static float loop_avx2(long iterations) {
    __m256 a[CHAINS];
    const __m256 b = _mm256_set1_ps(b_value), c = _mm256_set1_ps(c_value);
    for (int i = 0; i < CHAINS; i++) a[i] = _mm256_set1_ps(start_value + (float)i / 64);
    for (long it = 0; it < iterations; it++)
        for (int i = 0; i < CHAINS; i++) a[i] = _mm256_fmadd_ps(a[i], b, c);
    float out[CHAINS * 8];
    for (int i = 0; i < CHAINS; i++) _mm256_storeu_ps(out + 8 * i, a[i]);
    return sum(out, CHAINS * 8);
}

__attribute__((target("avx512f")))
static float loop_avx512(long iterations) {
    __m512 a[WIDE_CHAINS];
    const __m512 b = _mm512_set1_ps(b_value), c = _mm512_set1_ps(c_value);
    for (int i = 0; i < WIDE_CHAINS; i++) a[i] = _mm512_set1_ps(start_value + (float)i / 64);
    for (long it = 0; it < iterations; it++)
        for (int i = 0; i < WIDE_CHAINS; i++) a[i] = _mm512_fmadd_ps(a[i], b, c);
    float out[WIDE_CHAINS * 16];
    for (int i = 0; i < WIDE_CHAINS; i++) _mm512_storeu_ps(out + 16 * i, a[i]);
    return sum(out, WIDE_CHAINS * 16);
}
#else
// Elsewhere: plain C over four lanes per chain (the compiler's own vectors, or scalar code).
static float loop_sse(long iterations) {
    float a[CHAINS][4];
    const float b = b_value, c = c_value;
    for (int i = 0; i < CHAINS; i++) for (int l = 0; l < 4; l++) a[i][l] = start_value + (float)i / 64;
    for (long it = 0; it < iterations; it++)
        for (int i = 0; i < CHAINS; i++) for (int l = 0; l < 4; l++) a[i][l] = a[i][l] * b + c;
    return sum(&a[0][0], CHAINS * 4);
}
#endif

int cfmapeak_supported(CFMAPeakISA isa) {
#ifdef CFMAPEAK_X86
    switch (isa) {
    case CFMAPeakSSE: return 1;
    case CFMAPeakAVX2FMA: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case CFMAPeakAVX512: return __builtin_cpu_supports("avx512f");
    default: return 0;
    }
#else
    return isa == CFMAPeakSSE;
#endif
}

const char *cfmapeak_name(CFMAPeakISA isa) {
    switch (isa) {
    case CFMAPeakSSE: return "sse2";
    case CFMAPeakAVX2FMA: return "avx2+fma";
    case CFMAPeakAVX512: return "avx512f";
    default: return "unknown";
    }
}

double cfmapeak_flops(CFMAPeakISA isa, long iterations) {
    return 2.0 * lanes[isa] * chains[isa] * (double)iterations;
}

static float loop(CFMAPeakISA isa, long iterations) {
    switch (isa) {
#ifdef CFMAPEAK_X86
    case CFMAPeakAVX2FMA: return loop_avx2(iterations);
    case CFMAPeakAVX512: return loop_avx512(iterations);
#endif
    default: return loop_sse(iterations);
    }
}

/// The starting gate: every thread waits until all are created (go) or one could not be (abandon).
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t opened;
    int go, abandon;
} Gate;

typedef struct {
    CFMAPeakISA isa;
    int core;
    long iterations;
    int rounds;
    Gate *gate;
    double best;
    volatile float sink;
} Job;

static void *work(void *p) {
    Job *job = p;
#ifdef __linux__
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(job->core, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set); // best effort: unpinned threads still spread
#endif
    pthread_mutex_lock(&job->gate->lock);
    while (!job->gate->go && !job->gate->abandon) pthread_cond_wait(&job->gate->opened, &job->gate->lock);
    int abandon = job->gate->abandon;
    pthread_mutex_unlock(&job->gate->lock);
    if (abandon) return NULL;
    double best = 0;
    for (int r = 0; r < job->rounds; r++) {
        double t0 = now();
        job->sink = loop(job->isa, job->iterations);
        double rate = cfmapeak_flops(job->isa, job->iterations) / (now() - t0) / 1e9;
        if (rate > best) best = rate;
    }
    job->best = best;
    return NULL;
}

int cfmapeak_run(CFMAPeakISA isa, int threads, long iterations, int rounds, double *gflops) {
    if (threads < 1 || iterations < 1 || rounds < 1 || !cfmapeak_supported(isa)) return -1;
    // Every loop runs on a thread of its own, so the caller's thread keeps its affinity (BLAS's threads
    // and the training step run on it afterwards).
    Job *jobs = calloc((size_t)threads, sizeof *jobs);
    pthread_t *ids = calloc((size_t)threads, sizeof *ids);
    if (!jobs || !ids) { free(jobs); free(ids); return -1; }
    Gate gate = {.go = 0, .abandon = 0};
    pthread_mutex_init(&gate.lock, NULL);
    pthread_cond_init(&gate.opened, NULL);
    // Thread i goes to the i-th CPU this process may run on (the CPUs may not be numbered 0, 1, …).
    int cores[threads];
    for (int i = 0; i < threads; i++) cores[i] = i;
#ifdef __linux__
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) == 0) {
        int i = 0;
        for (int c = 0; c < CPU_SETSIZE && i < threads; c++) if (CPU_ISSET(c, &allowed)) cores[i++] = c;
    }
#endif
    int started = 0;
    for (int i = 0; i < threads; i++) {
        jobs[i] = (Job){.isa = isa, .core = cores[i], .iterations = iterations, .rounds = rounds, .gate = &gate};
        if (pthread_create(&ids[i], NULL, work, &jobs[i]) != 0) break;
        started++;
    }
    pthread_mutex_lock(&gate.lock);
    if (started == threads) gate.go = 1; else gate.abandon = 1;
    pthread_cond_broadcast(&gate.opened);
    pthread_mutex_unlock(&gate.lock);
    for (int i = 0; i < started; i++) pthread_join(ids[i], NULL);
    if (started == threads) for (int i = 0; i < threads; i++) gflops[i] = jobs[i].best;
    pthread_cond_destroy(&gate.opened);
    pthread_mutex_destroy(&gate.lock);
    free(jobs); free(ids);
    return started == threads ? 0 : -1;
}
