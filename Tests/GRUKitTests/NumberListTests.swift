import ArgumentParser
import XCTest
import GRUKit
import GRUKitChapterSupport

/// The comma-separated number flags of the theory chapters (`--w-hh 1.5,2.5`, `--eigen-norms …`),
/// parsed in-process through swift-argument-parser as a chapter parses them.
final class NumberListTests: XCTestCase {
    /// A command with one list flag checked as chapter 1 checks `--w-hh`.
    struct Probe: ParsableCommand {
        @Option(name: .customLong("w-hh")) var wHH = NumberList([1.5, 2.5])
        func validate() throws { try wHH.check("--w-hh", count: 1...4, within: -10...10) }
    }

    /// The message swift-argument-parser prints for `arguments`, or a failure when they parse.
    func refusal(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try Probe.parse(arguments)
            XCTFail("\(arguments) was accepted", file: file, line: line)
            return ""
        } catch {
            return Probe.message(for: error)
        }
    }

    func testListsParseInOrderAndTheDefaultReadsAsTyped() throws {
        XCTAssertEqual(try Probe.parse([]).wHH.values, [1.5, 2.5])
        XCTAssertEqual(try Probe.parse(["--w-hh", "1.9,2.1"]).wHH.values, [1.9, 2.1])
        XCTAssertEqual(try Probe.parse(["--w-hh", "4"]).wHH.values, [4])
        XCTAssertEqual(try Probe.parse(["--w-hh", " -0.5 , 3e0"]).wHH.values, [-0.5, 3])
        XCTAssertEqual(NumberList([1.5, 2.0, 2.5]).description, "1.5,2.0,2.5")
        XCTAssertTrue(Probe.helpMessage().contains("(default: 1.5,2.5)"), Probe.helpMessage())
        // What a list prints reads back to the same numbers.
        let list = NumberList([0.1, 1.0 / 3, -7])
        XCTAssertEqual(NumberList(argument: list.description)?.values, list.values)
    }

    func testBadListsAreRefusedNamingTheFlag() {
        for bad in ["1.9,x", "1.9,,2.1", "", "nan", "inf,2", "1.9;2.1"] {
            let message = refusal(["--w-hh", bad])
            XCTAssertTrue(message.contains("--w-hh"), "\(bad): \(message)")
        }
        XCTAssertTrue(refusal(["--w-hh", "1,2,3,4,5"]).contains("--w-hh takes 1 to 4 comma-separated values (got 5"))
        XCTAssertTrue(refusal(["--w-hh", "1.5,11"]).contains("--w-hh: 11.0 lies outside -10.0…10.0"))
        XCTAssertTrue(refusal(["--w-hh", "2,2.0"]).contains("--w-hh: 2.0 is given twice"))
    }

    func testCheckOfAnExactCount() {
        XCTAssertThrowsError(try NumberList([1]).check("--sweep-w-hh", count: 2...2, within: 0...10)) { error in
            XCTAssertTrue("\(error)".contains("--sweep-w-hh takes exactly 2 comma-separated values (got 1: '1.0')"), "\(error)")
        }
        XCTAssertNoThrow(try NumberList([1.5, 2.5]).check("--sweep-w-hh", count: 2...2, within: 0...10))
    }

    /// The list flags of the training chapters are the same type: entries as typed, an empty list or
    /// entry refused naming the flag, a bad entry refused naming the flag and the entry.
    func testTextListsOfTheTrainingFlags() throws {
        XCTAssertEqual(CommaList<String>(argument: " sgd , clip+project")?.values, ["sgd", "clip+project"])
        XCTAssertEqual(CommaList<String>(argument: "1,,10")?.values, ["1", "", "10"])
        XCTAssertEqual(CommaList<String>.split("a, b ,"), ["a", "b", ""])
        let options = try TrainingOptions.parse(["--sweep", "--methods", "none,project", "--lrs", "1, 10"])
        XCTAssertEqual(options.methods?.values, ["none", "project"])
        XCTAssertEqual(try TrainingOptions.parseMethods(options.methods!), [.sgd, .project])
        XCTAssertEqual(try TrainingOptions.parseRates(options.lrs!), [1, 10])
        func message(_ arguments: [String]) -> String {
            do { _ = try TrainingOptions.parse(arguments); return "" } catch { return TrainingOptions.message(for: error) }
        }
        XCTAssertTrue(message(["--sweep", "--lrs", ","]).contains("--lrs: the list is empty"))
        XCTAssertTrue(message(["--sweep", "--lrs", "1, ,2"]).contains("--lrs: \"1, ,2\" has an empty entry"))
        XCTAssertTrue(message(["--sweep", "--lrs", "1,x"]).contains("--lrs: \"x\" is not a positive number"))
        XCTAssertTrue(message(["--sweep", "--methods", "sgd,plain"]).contains("--methods: \"plain\" is not one of sgd, clip"))
        XCTAssertTrue(message(["--tune", "--deltas", "0.1,2"]).contains("--deltas: δ = 2"))
        XCTAssertTrue(message(["--tune", "--clips", "1,-1"]).contains("--clips: \"-1\" is not a positive number"))
    }

    /// The paper's protocol, written once, is what the paper scale of the PTB setting trains.
    func testPaperProtocolConstants() {
        let p = PaperProtocol.ptb
        XCTAssertEqual([p.batchSize, p.bptt, p.hidden, p.embedding, p.epochs, p.constantEpochs], [20, 35, 650, 650, 75, 10])
        XCTAssertEqual([p.clip, p.delta, p.dropout, p.embeddingScale, p.decay], [5, 0.2, 0.5, 0.01, 1.1])
        XCTAssertEqual(p.learningRates, [1, 10])
        XCTAssertEqual(p.schedule(initial: 10), .paper(initial: 10))
        let paper = PennTreebankSetting.at(.paper)
        XCTAssertEqual([paper.hidden, paper.epochs], [p.hidden, p.epochs])
        XCTAssertEqual(paper.learningRates, p.learningRates)
    }
}
