import CLAPACK
#if canImport(Glibc)
import Glibc
#endif

extension BLAS {
    /// The CPU kernel family OpenBLAS chose at load time (e.g. "Haswell", "SkylakeX", "Prescott").
    public static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    /// The kernel family this CPU supports by its feature flags (/proc/cpuinfo), or nil when
    /// OpenBLAS's own choice should stand. OpenBLAS identifies the CPU by its model number and
    /// falls back to the SSE3 "Prescott" kernels on CPUs it does not know (e.g. virtual
    /// machines reporting a generic "Xeon Processor"), several times slower than the AVX2
    /// (Haswell) or AVX-512 (SkylakeX) kernels the CPU actually runs.
    public static var recommendedCoreType: String? {
        guard coreName == "Prescott" || coreName == "Core2" || coreName == "Nehalem" else { return nil }
        guard let cpuinfo = try? String(contentsOfFileNoFoundation: "/proc/cpuinfo") else { return nil }
        let flags = Set(cpuinfo.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init))
        if flags.contains("avx512f") && flags.contains("avx512bw") && flags.contains("avx512vl") { return "SkylakeX" }
        if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
        return nil
    }

    /// When OpenBLAS fell back to slow generic kernels on a CPU with AVX2/AVX-512 and the
    /// environment does not already set OPENBLAS_CORETYPE, restarts the current executable
    /// with OPENBLAS_CORETYPE set to ``recommendedCoreType`` (OpenBLAS reads it only when the
    /// library loads, so a restart is the only way). Returns normally otherwise. Call it first
    /// thing in `main`.
    public static func restartWithRecommendedCoreTypeIfNeeded() {
        guard getenv("OPENBLAS_CORETYPE") == nil, let core = recommendedCoreType else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        let args = CommandLine.arguments
        var cargs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        execv("/proc/self/exe", &cargs)
        // execv returned: the restart failed; carry on with the generic kernels.
        for p in cargs { free(p) }
    }
}

extension String {
    /// Reads a small text file with the C library (no Foundation dependency in the engine).
    init(contentsOfFileNoFoundation path: String) throws {
        guard let f = fopen(path, "r") else { throw LinearAlgebraError.shape(routine: "fopen", message: "cannot open \(path)") }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, f)
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        self = String(decoding: bytes, as: UTF8.self)
    }
}
