import Foundation
import XCTest
import GRUKit

/// Memory amplification in the MAT-file reader: what a variable decodes to is charged against a
/// budget before it is allocated, so a few-MB file cannot ask for gigabytes (issue: reliability).
final class ReliabilityMATFileTests: XCTestCase {
    /// A `double` variable whose n values are stored as `miUINT8` (as MATLAB stores small
    /// integers): one byte in the file, eight once decoded.
    static func widenedFile(count n: Int) throws -> [UInt8] {
        let x = MATArray(name: "x", arrayClass: .double, dimensions: [n, 1], storage: .uint8([UInt8](repeating: 0, count: n)))
        return try MATFileWriter.encode([x], compressed: true)
    }

    /// A 1×n cell variable "c" of empty cells, each an 8-byte miMATRIX element with no data (as
    /// MATLAB writes `{}`), uncompressed.
    static func emptyCellsFile(count n: Int) throws -> [UInt8] {
        var bytes = try MATFileWriter.encode([], compressed: false)
        func u32(_ v: Int) -> [UInt8] { (0 ..< 4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        var body = u32(6) + u32(8) + [1, 0, 0, 0, 0, 0, 0, 0]      // flags: class cell
        body += u32(5) + u32(8) + u32(1) + u32(n)                   // dimensions 1×n
        body += [1, 0, 1, 0, 0x63, 0, 0, 0]                         // name "c" (small element)
        for _ in 0 ..< n { body += u32(14) + u32(0) }               // empty cells
        bytes += u32(14) + u32(body.count) + body
        return bytes
    }

    func testWidenedValuesAreChargedBeforeAllocation() throws {
        let n = 1 << 20
        let file = try Self.widenedFile(count: n)
        XCTAssertLessThan(file.count, n / 100, "the hostile file must be small")
        DataFixtures.assertDataError(try MATFile(bytes: file, path: "amp.mat", maximumDecodedSize: 4 << 20),
                                     contains: ["amp.mat", "variable \"x\"", "memory budget of 4194304 bytes",
                                                "\(n) values stored as 1-byte uint8 and widened to 8-byte doubles"])
        // Within a budget that holds 8 bytes per value it decodes.
        let ok = try MATFile(bytes: file, path: "amp.mat", maximumDecodedSize: 9 << 20)
        guard case .numbers(let values) = try ok.variable("x").storage else { return XCTFail("not numbers") }
        XCTAssertEqual(values.count, n)
    }

    func testManyEmptyCellsAreChargedBeforeAllocation() throws {
        let n = 20_000
        let file = try Self.emptyCellsFile(count: n)
        DataFixtures.assertDataError(try MATFile(bytes: file, path: "cells.mat", maximumDecodedSize: 8 * n),
                                     contains: ["cells.mat", "variable \"c\"", "\(n) cells of"])
        let ok = try MATFile(bytes: file, path: "cells.mat")
        guard case .cells(let cells) = try ok.variable("c").storage else { return XCTFail("not cells") }
        XCTAssertEqual(cells.count, n)
    }

    func testTheBudgetIsSharedByEveryVariableOfAFile() throws {
        let a = MATArray.double("a", rows: 1000, cols: 1, columnMajor: [Double](repeating: 1, count: 1000))
        let b = MATArray.double("b", rows: 1000, cols: 1, columnMajor: [Double](repeating: 2, count: 1000))
        let file = try MATFileWriter.encode([a, b], compressed: true)
        XCTAssertNoThrow(try MATFile(bytes: file, path: "two.mat", maximumDecodedSize: 16_000))
        DataFixtures.assertDataError(try MATFile(bytes: file, path: "two.mat", maximumDecodedSize: 12_000),
                                     contains: ["two.mat", "variable \"b\""])
    }

    /// The default budget, checked from outside: `gru music-text` on a 140 MB-when-inflated file
    /// whose values would take 1.1 GB as doubles, run with its address space limited to 1.1 GB.
    /// Before the budget it died in `Fatal error: failed to allocate`.
    func testTheDefaultBudgetKeepsTheReaderWithinAMemoryLimit() throws {
        let dir = try Executables.temporaryDirectory(self)
        let n = MATFile.defaultMaximumDecodedSize / 8 + (8 << 20)
        let path = try DataFixtures.write(try Self.widenedFile(count: n), "hostile.mat", in: dir)
        let before = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        let gru = Executables.productsDirectory.appendingPathComponent("gru").path
        let r = try DataFixtures.bash(["-c", "ulimit -v 1100000 && exec \"$1\" music-text \"$2\"", "limited", gru, path], environment: [:])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertFalse(r.stderr.contains("Fatal error"), r.stderr)
        XCTAssertTrue(r.stderr.contains("\(path): not a readable MAT-file: variable \"x\" would decode to more than the reader's memory budget"),
                      r.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), before, "nothing else is written")
    }
}
