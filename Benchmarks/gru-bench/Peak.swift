import CFMAPeak
import GRUKit

/// The machine's peak single-precision rate, measured in the run that uses it: a loop of
/// independent vector fused multiply-adds (CFMAPeak) on one thread per core, all cores at once.
///
/// Each vector instruction set the CPU has (AVX-512F, AVX2 + FMA; SSE2's multiply and add where
/// neither is there) is run on every core at once, and the fastest set gives the peak: on some
/// CPUs 512-bit FMAs have twice the throughput of 256-bit ones, on others the same (or less, at a
/// lower clock), and OpenBLAS picks its kernels for the CPU, so the peak is whichever the cores
/// really reach. Each thread times `rounds` rounds of about `roundSeconds` and keeps its fastest:
/// on a shared machine a round that another process interrupted runs slow, never fast, so the
/// fastest is the closest to what the core does when left alone (and a step's fraction of it errs
/// low on a busy machine, never high). The peak is the sum of the threads' fastest rounds; one core alone is
/// measured too, to show what all cores at once give up (a lower clock, a shared power budget).
struct Peak {
    /// The instruction set of the fastest loop ("avx512f", "avx2+fma", "sse2").
    var instructionSet: String
    /// Threads run at once, one per core.
    var cores: Int
    /// GFLOP/s of all cores at once: the sum of each thread's fastest round.
    var gflops: Double
    /// GFLOP/s of each core while all ran at once.
    var perCore: [Double]
    /// GFLOP/s of one core alone (same instruction set).
    var oneCore: Double
    /// Every supported instruction set's all-core GFLOP/s, for the record.
    var byInstructionSet: [(name: String, gflops: Double)]

    /// Measures the peak on `cores` cores (BLAS's threads are idle meanwhile).
    /// Rounds are short (1 ms) and many (200) because on a busy machine the scheduler's time slices
    /// are a few milliseconds: longer rounds are seldom left alone from start to end.
    static func measure(cores: Int, rounds: Int = 200, roundSeconds: Double = 0.001) -> Peak? {
        var best: (isa: CFMAPeakISA, total: Double, perCore: [Double])?
        var all: [(String, Double)] = []
        for raw in 0..<CFMAPeakCount.rawValue {
            let isa = CFMAPeakISA(rawValue: raw)
            guard cfmapeak_supported(isa) != 0 else { continue }
            let iterations = calibrate(isa, roundSeconds: roundSeconds)
            var rates = [Double](repeating: 0, count: cores)
            guard cfmapeak_run(isa, Int32(cores), iterations, Int32(rounds), &rates) == 0 else { continue }
            let total = rates.reduce(0, +)
            all.append((String(cString: cfmapeak_name(isa)), total))
            if best == nil || total > best!.total { best = (isa, total, rates) }
        }
        guard let best else { return nil }
        var one = [0.0]
        let iterations = calibrate(best.isa, roundSeconds: roundSeconds)
        guard cfmapeak_run(best.isa, 1, iterations, Int32(rounds), &one) == 0 else { return nil }
        return Peak(instructionSet: String(cString: cfmapeak_name(best.isa)), cores: cores, gflops: best.total,
                    perCore: best.perCore, oneCore: one[0], byInstructionSet: all)
    }

    /// Iterations of `isa`'s loop that take about `roundSeconds` on one core (from a short trial run).
    static func calibrate(_ isa: CFMAPeakISA, roundSeconds: Double) -> Int {
        let trial = 100_000
        var rate = [0.0]
        guard cfmapeak_run(isa, 1, trial, 3, &rate) == 0, rate[0] > 0 else { return trial }
        let flopsPerIteration = cfmapeak_flops(isa, 1)
        return Swift.max(trial, Int(roundSeconds * rate[0] * 1e9 / flopsPerIteration))
    }
}
