// CFMAPeak: the machine's peak single-precision arithmetic rate, measured by loops of independent
// vector fused multiply-adds, one thread per core (gru-bench's fraction_of_peak divides by it).
#ifndef CFMAPEAK_H
#define CFMAPEAK_H

#ifdef __cplusplus
extern "C" {
#endif

/// The vector instruction sets a loop can use, narrowest first.
typedef enum {
    CFMAPeakSSE = 0,     ///< 128-bit multiply then add (no FMA): 4 lanes, SSE2, every x86-64
    CFMAPeakAVX2FMA = 1, ///< 256-bit vfmadd (AVX2 + FMA3): 8 lanes
    CFMAPeakAVX512 = 2,  ///< 512-bit vfmadd (AVX-512F): 16 lanes
    CFMAPeakCount = 3
} CFMAPeakISA;

/// Whether this CPU runs `isa` (cpuid, through the compiler's __builtin_cpu_supports); 0 on other architectures
/// for every set but the portable one (SSE, which is then plain scalar C).
int cfmapeak_supported(CFMAPeakISA isa);

/// A short name of `isa` ("avx512f", "avx2+fma", "sse2").
const char *cfmapeak_name(CFMAPeakISA isa);

/// FLOPs of one call of the loop with `iterations` (2 per multiply-add per lane).
double cfmapeak_flops(CFMAPeakISA isa, long iterations);

/// Runs the loop of `isa` on `threads` new threads at once, thread i pinned to the i-th CPU the
/// process may use where the system allows (threads ≤ cores), each timing `rounds` calls of
/// `iterations` iterations on the monotonic clock. Writes each thread's fastest round, in GFLOP/s,
/// to `gflops[thread]`. Returns 0, or -1 if a thread could not be started (nothing written then).
int cfmapeak_run(CFMAPeakISA isa, int threads, long iterations, int rounds, double *gflops);

#ifdef __cplusplus
}
#endif
#endif
