import ArgumentParser
import XCTest
@testable import GRUKit
@testable import GRUKitChapterSupport

/// Everything a training method is called, from the one place that names it (`TrainingMethod`),
/// and the one spelling of plain SGD on the command line (`sgd`, with `none` still read).
final class TrainingMethodNamesTests: XCTestCase {
    let methods: [TrainingMethod] = [.sgd, .clip(maxNorm: 5), .project(delta: 0.2), .clipAndProject(maxNorm: 0.25, delta: 0.5),
                                     .rescale(delta: 0.2)]

    func testEveryNameOfEveryMethod() {
        XCTAssertEqual(methods.map(\.description), ["sgd", "clip(5.0)", "project(δ=0.2)", "clip(0.25)+project(δ=0.5)", "rescale(δ=0.2)"])
        XCTAssertEqual(methods.map(\.shortName), ["sgd", "clip5", "project0.2", "clip0.25+project0.5", "rescale0.2"])
        XCTAssertEqual(methods.map(\.label), ["plain SGD", "clipping at 5", "P_δ, δ = 0.2", "clipping + P_δ (0.25, δ = 0.5)",
                                              "rescaling, δ = 0.2"])
        XCTAssertEqual(methods.map(\.family.name), ["plain SGD", "clipping", "projection", "clipping + projection", "spectral rescaling"])
        XCTAssertEqual(methods.map(\.knob), ["—", "c = 5", "δ = 0.2", "c = 0.25, δ = 0.5", "δ = 0.2"])
        XCTAssertEqual(methods.map(\.knobValue), [nil, 5, 0.2, nil, 0.2])
        XCTAssertEqual(TrainingMethod.clip(maxNorm: 1e-5).shortName, "clip1e-05")
        XCTAssertEqual(RunConfiguration.name(method: .clipAndProject(maxNorm: 5, delta: 0.2), learningRate: 10), "clip5+project0.2-lr10")
    }

    func testPlainSGDIsSpelledSgdAndNoneStillReads() throws {
        XCTAssertEqual(TrainingOptions.MethodName(argument: "sgd"), .sgd)
        XCTAssertEqual(TrainingOptions.MethodName(argument: "none"), .sgd, "the former spelling still reads")
        XCTAssertNil(TrainingOptions.MethodName(argument: "plain"))
        XCTAssertEqual(TrainingOptions.MethodName.allCases.map(\.rawValue), ["sgd", "clip", "project", "clip+project", "rescale"])
        XCTAssertEqual(try TrainingOptions.parseMethods("sgd, clip,project"), [.sgd, .clip, .project])
        XCTAssertThrowsError(try TrainingOptions.parseMethods("sgd,none")) { error in
            XCTAssertTrue("\(error)".contains("listed twice"), "\(error)")
        }
        XCTAssertEqual(try TrainingOptions.parse(["--method", "none"]).method, .sgd)
        XCTAssertEqual(try TrainingOptions.parse(["--method", "sgd"]).method, .sgd)
        XCTAssertEqual(TrainingOptions.method(.sgd, clip: 5, delta: 0.2), .sgd)
    }
}
