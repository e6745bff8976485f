import XCTest
import GRUKit

/// StepFlops against counts done by hand, term by term, for a small shape whose sizes all differ
/// (so that a product counted with E where it needs H, or B where it needs N, gives another number),
/// and for the paper's shape.
final class EngineStepFlopsTests: XCTestCase {
    /// V = 7, E = 3, H = 2, B = 5, T = 4, so N = T·B = 20 rows and 3H = 6 gate rows.
    /// Each product m×k by k×n is m·n dot products of k multiply-adds, 2 FLOPs each:
    ///
    ///     forward
    ///       X·W_ihᵀ        (20×3)(3×6):          20·6 = 120 dot products × 3 = 360 multiply-adds →  720
    ///       h·W_hhᵀ ×4     (5×2)(2×6), 4 steps:   5·6 =  30 × 2 = 60, × 4 = 240                    →  480
    ///       y·Wᵀ           (20×2)(2×7):          20·7 = 140 × 2 = 280                             →  560
    ///     backward
    ///       ∂y = G·W       (20×7)(7×2):          20·2 =  40 × 7 = 280                             →  560
    ///       ∂W = Gᵀ·y      (7×20)(20×2):          7·2 =  14 × 20 = 280                            →  560
    ///       ∂a·W_hh ×4     (5×6)(6×2), 4 steps:   5·2 =  10 × 6 = 60, × 4 = 240                    →  480
    ///       ∂W_ih = Aᵀ·X   (6×20)(20×3):          6·3 =  18 × 20 = 360                            →  720
    ///       ∂W_hh = A_hᵀ·H (6×20)(20×2):          6·2 =  12 × 20 = 240                            →  480
    ///       ∂X = A·W_ih    (20×6)(6×3):          20·3 =  60 × 6 = 360                             →  720
    ///
    /// Output layer 560 + 560 + 560 = 1,680; GRU 720 + 480 + 480 + 720 + 480 + 720 = 3,600;
    /// the step 5,280.
    func testSmallShapeMatchesTheHandCount() {
        let f = StepFlops(vocabularySize: 7, embeddingSize: 3, hiddenSize: 2, batchSize: 5, steps: 4)
        let byName = Dictionary(uniqueKeysWithValues: f.products.map { ($0.name, $0.flops) })
        let hand: [(String, Int)] = [
            ("GRU input projection X·W_ihᵀ", 720),
            ("GRU recurrence h·W_hhᵀ (T calls)", 480),
            ("output layer y·Wᵀ", 560),
            ("output layer ∂y = G·W", 560),
            ("output layer ∂W = Gᵀ·y", 560),
            ("GRU recurrence back ∂a·W_hh (T calls)", 480),
            ("GRU ∂W_ih = Aᵀ·X", 720),
            ("GRU ∂W_hh = A_hᵀ·H", 480),
            ("GRU ∂X = A·W_ih", 720),
        ]
        XCTAssertEqual(f.products.count, hand.count, "nine products in a step")
        for (name, flops) in hand {
            XCTAssertEqual(byName[name], flops, "\(name): counted \(byName[name].map(String.init) ?? "nothing"), by hand \(flops)")
        }
        XCTAssertEqual(f.outputLayer, 1_680)
        XCTAssertEqual(f.gru, 3_600)
        XCTAssertEqual(f.total, 5_280)
        // At 5,280 FLOPs a step of 2 µs runs at 5,280 / 2e-6 = 2.64e9 FLOP/s.
        XCTAssertEqual(f.gigaflopsPerSecond(seconds: 2e-6), 2.64, accuracy: 1e-12)
    }

    /// The paper's shape, V = 10,000, E = H = 650, B = 20, T = 35 (N = 700, 3H = 1,950):
    /// output layer 3 × 2·700·650·10,000 = 3 × 9,100,000,000 = 27,300,000,000;
    /// GRU 3 × 2·700·1,950·650 (input products) + 3 × 2·700·1,950·650 (recurrent ones)
    ///   = 6 × 1,774,500,000 = 10,647,000,000; the step 37,947,000,000 (about 38 GFLOP).
    func testPaperShapeMatchesTheHandCount() {
        let f = StepFlops(configuration: GRULanguageModel<Float>.Configuration.paper(), batchSize: 20, steps: 35)
        XCTAssertEqual(f.outputLayer, 27_300_000_000)
        XCTAssertEqual(f.gru, 10_647_000_000)
        XCTAssertEqual(f.total, 37_947_000_000)
    }

    /// The GRU form does not change the count: reset-before splits each recurrent product into a
    /// 2H-column and an H-column one, the same 3H in all (see StepFlops). Nor do the GRU's biases
    /// (their gradients are sums, elementwise work, not counted).
    func testTheCountDependsOnTheShapesAlone() {
        let after = StepFlops(configuration: GRULanguageModel<Float>.Configuration(vocabularySize: 11, embeddingSize: 4, hiddenSize: 3),
                              batchSize: 2, steps: 6)
        let before = StepFlops(configuration: GRULanguageModel<Double>.Configuration(vocabularySize: 11, embeddingSize: 4, hiddenSize: 3,
                                                                                      cell: .resetBefore, gruBias: true),
                               batchSize: 2, steps: 6)
        XCTAssertEqual(after, before)
        // 6·N·H·V + 6·N·3H·(E + H) with N = 12: 6·12·3·11 + 6·12·9·7 = 2,376 + 4,536 = 6,912.
        XCTAssertEqual(after.total, 6_912)
    }
}
