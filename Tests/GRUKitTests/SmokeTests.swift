import XCTest
import GRUKit

final class SmokeTests: XCTestCase {
    func testGemmSmall() {
        let a = Matrix<Double>([[1, 2], [3, 4]])
        let b = Matrix<Double>([[5, 6], [7, 8]])
        XCTAssertEqual((a * b).elements, [19, 22, 43, 50])
    }
}
