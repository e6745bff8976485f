import XCTest
import GRUKit

/// Oracle comparisons with readable output, in the spirit of micrograd / llm.c:
/// each check prints `OK` or `NOT OK`, what was compared and the largest difference.
enum Oracle {
    /// The largest relative difference max_i |a_i − b_i| / max(|b_i|, floor).
    static func maxRelativeDifference<T: BinaryFloatingPoint>(_ a: [T], _ b: [T], floor: T = 1) -> T {
        precondition(a.count == b.count, "Oracle: \(a.count) values against \(b.count)")
        var worst: T = 0
        for (x, y) in zip(a, b) {
            let d = abs(x - y) / max(abs(y), floor)
            if d.isNaN { return .nan }
            worst = max(worst, d)
        }
        return worst
    }

    /// Asserts max relative difference ≤ tolerance and prints one readable line.
    @discardableResult
    static func check<T: BinaryFloatingPoint>(_ label: String, _ got: [T], _ expected: [T], tolerance: T, floor: T = 1,
                                               file: StaticString = #filePath, line: UInt = #line) -> T {
        guard got.count == expected.count else {
            XCTFail("NOT OK \(label): \(got.count) values, expected \(expected.count)", file: file, line: line)
            return .nan
        }
        let d = maxRelativeDifference(got, expected, floor: floor)
        let ok = d <= tolerance
        print("\(ok ? "OK    " : "NOT OK") \(label): max difference \(Double(d)) (tolerance \(Double(tolerance)))")
        if !ok { XCTFail("NOT OK \(label): max difference \(Double(d)) > \(Double(tolerance))", file: file, line: line) }
        return d
    }

    static func check<T: BLASScalar>(_ label: String, _ got: Matrix<T>, _ expected: Matrix<T>, tolerance: T, floor: T = 1,
                                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.rows, expected.rows, "\(label): rows", file: file, line: line)
        XCTAssertEqual(got.cols, expected.cols, "\(label): cols", file: file, line: line)
        check(label, got.elements, expected.elements, tolerance: tolerance, floor: floor, file: file, line: line)
    }
}
