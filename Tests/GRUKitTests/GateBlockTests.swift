import XCTest
@testable import GRUKit

/// The typed view of a GRU's stacked gate blocks (PyTorch's r, z, n row order) against matrices
/// built by hand, entry by entry.
final class GateBlockTests: XCTestCase {
    /// A 3H×C matrix whose entry (row, col) is 100·block + 10·(row within block) + col.
    static func stacked(hidden h: Int, cols c: Int) -> Matrix<Double> {
        Matrix((0 ..< 3 * h).map { r in (0 ..< c).map { col in Double(100 * (r / h) + 10 * (r % h) + col) } })
    }

    func testRowsAndElementsFollowPyTorchOrder() {
        XCTAssertEqual(GateBlock.allCases, [.reset, .update, .candidate])
        XCTAssertEqual(GateBlock.allCases.map(\.letter), ["r", "z", "n"])
        XCTAssertEqual(GateBlock.reset.rows(hiddenSize: 4), 0 ..< 4)
        XCTAssertEqual(GateBlock.update.rows(hiddenSize: 4), 4 ..< 8)
        XCTAssertEqual(GateBlock.candidate.rows(hiddenSize: 4), 8 ..< 12)
        XCTAssertEqual(GateBlock.candidate.elements(hiddenSize: 4, columns: 4), 32 ..< 48)
        XCTAssertEqual(GateBlock.update.elements(hiddenSize: 3, columns: 5), 15 ..< 30)
        XCTAssertEqual(GateBlock.stackedCount(hiddenSize: 650, columns: 650), 3 * 650 * 650)
        XCTAssertEqual(GateBlock.locate(row: 9, hiddenSize: 4)?.gate, .candidate)
        XCTAssertEqual(GateBlock.locate(row: 9, hiddenSize: 4)?.row, 1)
        XCTAssertEqual(GateBlock.locate(row: 4, hiddenSize: 4)?.gate, .update)
        XCTAssertNil(GateBlock.locate(row: 12, hiddenSize: 4))
        XCTAssertNil(GateBlock.locate(row: -1, hiddenSize: 4))
    }

    func testMatrixBlocksAgainstHandBuiltMatrices() {
        let w = Self.stacked(hidden: 2, cols: 3)
        XCTAssertEqual(w[block: .reset], Matrix([[0, 1, 2], [10, 11, 12]]))
        XCTAssertEqual(w[block: .update], Matrix([[100, 101, 102], [110, 111, 112]]))
        XCTAssertEqual(w[block: .candidate], Matrix([[200, 201, 202], [210, 211, 212]]))
        var v = w
        v[block: .update] = Matrix([[-1, -2, -3], [-4, -5, -6]])
        XCTAssertEqual(v, Matrix([[0, 1, 2], [10, 11, 12], [-1, -2, -3], [-4, -5, -6], [200, 201, 202], [210, 211, 212]]))
        // A bias vector (1×3H, as GRULayer stores it) is not three row blocks; as a 3H×1 column it is.
        let bias = Matrix<Double>(rows: 6, cols: 1, elements: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(bias[block: .candidate].elements, [5, 6])
    }

    func testLayerCandidateBlockIsRowsTwoHToThreeH() {
        let h = 3
        let whh = Self.stacked(hidden: h, cols: h)
        let layer = GRULayer<Double>(weightIH: Matrix(rows: 3 * h, cols: 2), weightHH: whh, cell: .resetAfter)
        XCTAssertEqual(layer.candidateBlock, Matrix([[200, 201, 202], [210, 211, 212], [220, 221, 222]]))
        let version = layer.weightHH.valueVersion
        layer.candidateBlock = .diagonal([7, 8, 9])
        XCTAssertGreaterThan(layer.weightHH.valueVersion, version, "writing the block is a write to weight_hh")
        XCTAssertEqual(layer.weightHH.value[block: .reset], whh[block: .reset])
        XCTAssertEqual(layer.weightHH.value[block: .update], whh[block: .update])
        XCTAssertEqual(Array(layer.weightHH.value.elements[18...]), [7, 0, 0, 0, 8, 0, 0, 0, 9])
    }

    func testInputFreeMapStacksItsBlocks() {
        let r = Matrix<Double>([[1, 2], [3, 4]]), z = Matrix<Double>([[5, 6], [7, 8]]), n = Matrix<Double>([[9, 10], [11, 12]])
        let map = InputFreeGRU(reset: r, update: z, candidate: n)
        XCTAssertEqual(map.weightHH.elements, Array(1 ... 12).map(Double.init))
        XCTAssertEqual(map.block(.reset), r)
        XCTAssertEqual(map.block(.update), z)
        XCTAssertEqual(map.candidateBlock, n)
    }

    func testGradientGroupsSplitTheRecurrentGradientByGate() {
        let h = 2
        let p = Parameter<Double>(name: "weight_hh_l0", value: Matrix(rows: 3 * h, cols: h))
        p.gradient = Self.stacked(hidden: h, cols: h)
        let groups = GradientGroups(parameters: [p], recurrentName: "weight_hh_l0")
        XCTAssertEqual(groups.names, ["weight_hh_l0[r]", "weight_hh_l0[z]", "weight_hh_l0[n]"])
        var norms = [Double](repeating: 0, count: 3)
        groups.measure([p], into: &norms)
        for gate in GateBlock.allCases {
            let block = p.gradient[block: gate].elements
            XCTAssertEqual(norms[gate.rawValue], block.map { $0 * $0 }.reduce(0, +).squareRoot(), accuracy: 1e-12)
        }
    }
}
