import XCTest
import GRUKit

final class SeededGeneratorTests: XCTestCase {
    func testSameSeedSameSequenceDifferentSeedDifferent() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let sa = (0..<100).map { _ in a.next() }, sb = (0..<100).map { _ in b.next() }, sc = (0..<100).map { _ in c.next() }
        XCTAssertEqual(sa, sb)
        XCTAssertNotEqual(sa, sc)
    }

    func testKnownFirstOutputsPinTheAlgorithm() {
        // SplitMix64(seed 0) fills the state; xoshiro256** then starts with these words.
        // Changing either algorithm changes every seeded run of the project, so pin them.
        var g = SeededGenerator(seed: 0)
        let first = (0..<3).map { _ in g.next() }
        var h = SeededGenerator(seed: 0)
        XCTAssertEqual(first, (0..<3).map { _ in h.next() })
        // Reference SplitMix64 outputs for seed 0 (Vigna's reference implementation).
        var sm: UInt64 = 0
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let s0 = splitMix(), s1 = splitMix()
        XCTAssertEqual(s0, 0xE220_A839_7B1D_CDAF)
        // xoshiro256**: first output = rotl(s1 * 5, 7) * 9.
        let r = (s1 &* 5), rot = (r << 7) | (r >> 57)
        XCTAssertEqual(first[0], rot &* 9)
    }

    func testUniformAndNormalMoments() {
        var g = SeededGenerator(seed: 7)
        let n = 200_000
        let u = (0..<n).map { _ in g.nextUniform() }
        XCTAssertTrue(u.allSatisfy { $0 >= 0 && $0 < 1 })
        XCTAssertEqual(u.reduce(0, +) / Double(n), 0.5, accuracy: 0.005)
        let z = (0..<n).map { _ in g.nextNormal() }
        let mean = z.reduce(0, +) / Double(n)
        let variance = z.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        XCTAssertEqual(mean, 0, accuracy: 0.01)
        XCTAssertEqual(variance, 1, accuracy: 0.01)
        XCTAssertTrue(z.allSatisfy { $0.isFinite })
    }
}
