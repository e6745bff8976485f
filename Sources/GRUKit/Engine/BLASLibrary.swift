#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// OpenBLAS's own functions (not part of CBLAS or LAPACKE), looked up by name in the running
/// process rather than linked: GRUKit links whatever CBLAS/LAPACKE pkg-config names (OpenBLAS by
/// default; `make test-blas` runs the whole test suite on Debian's reference BLAS and LAPACK), and
/// uses these only when the library loaded is OpenBLAS. Nil where the symbol is absent.
struct OpenBLASFunctions: @unchecked Sendable {
    /// `char *openblas_get_corename(void)`.
    let coreName: (@convention(c) () -> UnsafeMutablePointer<CChar>?)?
    /// `int openblas_get_num_threads(void)`.
    let threads: (@convention(c) () -> Int32)?
    /// `void openblas_set_num_threads(int)`.
    let setThreads: (@convention(c) (Int32) -> Void)?

    /// The functions of the library this process loaded, looked up once (`dlsym` on the process's
    /// global symbols: the executable and the libraries it was linked with).
    static let loaded = OpenBLASFunctions(lookUp: { name in dlsym(dlopen(nil, RTLD_LAZY), name) })

    /// The functions `lookUp` finds by name (all three or none: a library with some of them is
    /// not taken for OpenBLAS).
    init(lookUp: (String) -> UnsafeMutableRawPointer?) {
        if let c = lookUp("openblas_get_corename"), let g = lookUp("openblas_get_num_threads"),
           let s = lookUp("openblas_set_num_threads") {
            coreName = unsafeBitCast(c, to: (@convention(c) () -> UnsafeMutablePointer<CChar>?).self)
            threads = unsafeBitCast(g, to: (@convention(c) () -> Int32).self)
            setThreads = unsafeBitCast(s, to: (@convention(c) (Int32) -> Void).self)
        } else {
            coreName = nil; threads = nil; setThreads = nil
        }
    }
}

/// Process-wide BLAS settings (a namespace; it has no instances).
public enum BLAS {
    /// Whether the BLAS library this process runs on is OpenBLAS (found by its own functions,
    /// `openblas_get_corename` and the thread setters, among the process's symbols). Only speed
    /// depends on it: the thread count and the kernel choice below act on OpenBLAS alone.
    public static var isOpenBLAS: Bool { OpenBLASFunctions.loaded.coreName != nil }

    /// The thread count asked for where the library has no setting of its own (a reference
    /// BLAS runs on one thread): 1 until set.
    private static let requestedThreads = Atomic<Int>(1)

    /// The number of threads BLAS uses for one call: with OpenBLAS its own setting
    /// (`openblas_get_num_threads` / `openblas_set_num_threads`, one per core at start).
    ///
    /// Global to the process, not per calling thread. Setting it to 1 makes results
    /// independent of the thread count and avoids threading overhead on small products;
    /// set a positive value. With another library the value is kept here (1 at start) and tells
    /// only GRUKit's own two-core code (the language model's side-by-side step) how many cores it
    /// may use; the library runs as it does.
    public static var threads: Int {
        get {
            if let get = OpenBLASFunctions.loaded.threads { return Int(get()) }
            return requestedThreads.load(ordering: .relaxed)
        }
        set {
            if let set = OpenBLASFunctions.loaded.setThreads { set(Int32(newValue)) } else {
                requestedThreads.store(newValue, ordering: .relaxed)
            }
        }
    }

    /// The CPU kernel family OpenBLAS chose at load time (e.g. "Haswell", "SkylakeX", "Prescott");
    /// "not OpenBLAS" with another library.
    public static var coreName: String {
        guard let name = OpenBLASFunctions.loaded.coreName else { return "not OpenBLAS" }
        guard let p = name() else { return "unknown" }
        return String(cString: p)
    }

    /// The kernel family this CPU supports by its feature flags (/proc/cpuinfo), or nil when
    /// OpenBLAS's own choice should stand (or the library is not OpenBLAS, or there is no
    /// /proc/cpuinfo). OpenBLAS identifies the CPU by its model number and
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
    /// library loads, so a restart is the only way). Returns normally otherwise: with another
    /// library, and on systems without Linux's /proc/self/exe (the executable that runs). Call it
    /// first thing in `main`.
    public static func restartWithRecommendedCoreTypeIfNeeded() {
        #if os(Linux)
        guard getenv("OPENBLAS_CORETYPE") == nil, let core = recommendedCoreType else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        let args = CommandLine.arguments
        var cargs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        execv("/proc/self/exe", &cargs)
        // execv returned: the restart failed; carry on with the generic kernels.
        for p in cargs { free(p) }
        #endif
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
