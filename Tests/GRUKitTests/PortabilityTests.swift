import Foundation
import XCTest
@testable import GRUKit

/// What lets GRUKit build beyond Linux and OpenBLAS: the C library's module is named only where it
/// is imported conditionally, and OpenBLAS's own functions are found at run time, so that the same
/// sources build and pass with another BLAS (`make test-blas`: Debian's reference BLAS and LAPACK).
final class PortabilityTests: XCTestCase {
    /// The lines (1-based numbers and text) that name `Glibc.` outside an `#if canImport(Glibc)` or
    /// `#elseif canImport(Glibc)` branch (an `#else` of one, or a `!canImport(Glibc)`, is outside).
    static func glibcOutsideItsBranch(_ text: String) -> [(line: Int, text: String)] {
        // One entry per open #if: whether the branch being read is a canImport(Glibc) one.
        var branches: [Bool] = []
        var found: [(Int, String)] = []
        func guards(_ condition: Substring) -> Bool { condition.contains("canImport(Glibc)") && !condition.contains("!canImport(Glibc)") }
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.drop(while: { $0 == " " || $0 == "\t" })
            if line.hasPrefix("#if ") { branches.append(guards(line.dropFirst(4))) }
            else if line.hasPrefix("#elseif "), !branches.isEmpty { branches[branches.count - 1] = guards(line.dropFirst(8)) }
            else if line.hasPrefix("#else"), !branches.isEmpty { branches[branches.count - 1] = false }
            else if line.hasPrefix("#endif"), !branches.isEmpty { branches.removeLast() }
            else if raw.contains("Glibc."), !branches.contains(true) { found.append((i + 1, String(raw))) }
        }
        return found
    }

    func testTheCheckFindsGlibcOutsideItsBranchOnly() {
        let sample = """
            let a = Glibc.exp(1)
            #if canImport(Glibc)
            let b = Glibc.exp(1)
            #if DEBUG
            let c = Glibc.tanh(1)
            #endif
            #elseif canImport(Darwin)
            let d = Glibc.exp(1)
            #else
            let e = Glibc.exp(1)
            #endif
            #if !canImport(Glibc)
            let f = Glibc.exp(1)
            #elseif canImport(Glibc)
            let g = Glibc.exp(1)
            #endif
            """
        XCTAssertEqual(Self.glibcOutsideItsBranch(sample).map(\.line), [1, 8, 10, 13])
    }

    /// No file under Sources/ names `Glibc.` outside an `#if canImport(Glibc)` branch: elsewhere the
    /// elementary functions come from RealModule and POSIX calls from Glibc or Darwin, whichever the
    /// platform has.
    func testNoGlibcOutsideCanImportGlibcInSources() throws {
        let sources = DataFixtures.repositoryRoot().appendingPathComponent("Sources")
        let files = try XCTUnwrap(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        XCTAssertGreaterThan(files.count, 100)
        var checked = 0
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for (line, code) in Self.glibcOutsideItsBranch(text) {
                XCTFail("NOT OK \(file.path):\(line) names Glibc outside #if canImport(Glibc): \(code)")
            }
            if text.contains("Glibc.") { checked += 1 }
        }
        print("OK     no Glibc. outside #if canImport(Glibc) in \(files.count) files under Sources/ (\(checked) name it inside)")
    }

    /// OpenBLAS's functions are taken only all together: a library with some of them (or none,
    /// as the reference BLAS) is not OpenBLAS, and nothing of it is called.
    func testOpenBLASFunctionsAreFoundAllOrNone() {
        let some = OpenBLASFunctions(lookUp: { $0 == "openblas_get_corename" ? UnsafeMutableRawPointer(bitPattern: 0x1000) : nil })
        XCTAssertNil(some.coreName); XCTAssertNil(some.threads); XCTAssertNil(some.setThreads)
        let none = OpenBLASFunctions(lookUp: { _ in nil })
        XCTAssertNil(none.coreName)
    }

    /// The library the tests run on is the one the build asked for: OpenBLAS by default (the
    /// kernel name and thread count are OpenBLAS's own), another one under GRUKIT_BLAS (`make
    /// test-blas`), where no OpenBLAS file is mapped into the process and the thread count is
    /// kept by GRUKit.
    func testTheBLASLibraryIsTheOneTheBuildNamed() throws {
        let package = ProcessInfo.processInfo.environment["GRUKIT_BLAS"] ?? "openblas"
        // Read to the end in pieces (a /proc file reports size 0).
        let maps = (try? InputFile.read("/proc/self/maps")).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let libraries = Set(maps.split(separator: "\n").compactMap { $0.split(separator: " ").last }.filter { $0.contains(".so") })
        let saved = BLAS.threads
        defer { BLAS.threads = saved }
        if package == "openblas" {
            XCTAssertTrue(BLAS.isOpenBLAS, "the default build runs on OpenBLAS")
            XCTAssertNotEqual(BLAS.coreName, "not OpenBLAS")
            XCTAssertFalse(BLAS.coreName.isEmpty)
            if !maps.isEmpty { XCTAssertTrue(libraries.contains { $0.contains("openblas") }, "\(libraries.sorted())") }
        } else {
            XCTAssertFalse(BLAS.isOpenBLAS, "GRUKIT_BLAS=\(package): OpenBLAS's functions are not in the process")
            XCTAssertEqual(BLAS.coreName, "not OpenBLAS")
            XCTAssertNil(BLAS.recommendedCoreType)
            for library in libraries where library.lowercased().contains("openblas") {
                XCTFail("NOT OK GRUKIT_BLAS=\(package), yet \(library) is loaded")
            }
            if !maps.isEmpty { XCTAssertTrue(libraries.contains { $0.contains("libblas") }, "\(libraries.sorted())") }
        }
        for threads in [2, 1] {
            BLAS.threads = threads
            XCTAssertEqual(BLAS.threads, threads)
        }
        print("OK     BLAS: \(BLAS.isOpenBLAS ? "OpenBLAS, kernels \(BLAS.coreName)" : "not OpenBLAS (GRUKIT_BLAS=\(package))"); "
              + "libraries: \(libraries.filter { $0.contains("blas") || $0.contains("lapack") }.sorted().joined(separator: ", "))")
    }
}
