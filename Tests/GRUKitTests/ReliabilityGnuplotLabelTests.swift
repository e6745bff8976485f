import Foundation
import XCTest
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

/// Strings that reach a gnuplot script (titles made from a log's file name) never run a command,
/// and a log name with spaces, parentheses or a backquoted command is drawn and recorded under a
/// safe name instead of stopping the chapter.
final class ReliabilityGnuplotLabelTests: XCTestCase {
    func testQuotedStringsHoldNoBackquoteAndNoRawControlCharacter() {
        XCTAssertEqual(Gnuplot.quoted("a`touch x`b"), #""a\140touch x\140b""#)
        XCTAssertEqual(Gnuplot.quoted("q\"\\\n\r\t\u{7F}"), #""q\"\\\n\015\011\177""#)
        XCTAssertEqual(Gnuplot.quoted("W_{hh} ‖·‖₂ 10^{%L} @macro $x"), #""W_{hh} ‖·‖₂ 10^{%L} @macro $x""#)
        XCTAssertEqual(Gnuplot.commentText("a\nb\u{2028}c"), "a b c")
    }

    /// gnuplot itself reads the escaped title back as the text, and runs nothing.
    func testGnuplotPrintsTheTitleAndRunsNoCommand() throws {
        guard Gnuplot.isInstalled else { throw XCTSkip("gnuplot is not installed") }
        let dir = try Executables.temporaryDirectory(self)
        let title = "run (`touch pwned`) \"$HOME\" back\\slash"
        let script = dir.appendingPathComponent("t.gp")
        try "set print \"-\"\nprint \(Gnuplot.quoted(title))\n".write(to: script, atomically: true, encoding: .utf8)
        let out = try Gnuplot.render(script: script)
        XCTAssertEqual(out.stdout.trimmingCharacters(in: .newlines), title)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("pwned").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "pwned"))
    }

    func testRecordedValueNamesFromFilesAreMadeSafe() {
        XCTAssertEqual(RecordedValues.safeName("sgd-lr10"), "sgd-lr10")
        XCTAssertEqual(RecordedValues.safeName("clip5+project0.2-lr10"), "clip5+project0.2-lr10")
        XCTAssertEqual(RecordedValues.safeName("my run (`touch x`)"), "my_run___touch_x__")
        XCTAssertEqual(RecordedValues.safeName("é"), "_")
        XCTAssertEqual(RecordedValues.safeName(""), "_")
        var v = RecordedValues()
        v["paper." + RecordedValues.safeName("a b\n(c)") + ".valid"] = "1"  // no precondition failure
        XCTAssertEqual(v.values.keys.first, "paper.a_b__c_.valid")
    }

    /// Chapter 5 drawn from a folder whose log is named with a space, parentheses and a backquoted
    /// command: the figures render, the command never runs, values.tsv holds the safe name.
    func testChapter5DrawsALogWithAHostileNameAndRunsNothing() throws {
        guard Gnuplot.isInstalled else { throw XCTSkip("gnuplot is not installed") }
        let dir = try Executables.temporaryDirectory(self)
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let marker = dir.appendingPathComponent("pwned")
        let name = "my run (`touch pwned`)"  // run in `dir`: the command would create dir/pwned
        func iteration(_ i: Int) -> String {
            #"{"type":"iteration","iteration":"# + "\(i)" + #","epoch":1,"learning_rate":1,"loss":3.2,"mean_loss":3.2,"gradient_norm":0.5,"#
                + #""max_gradient_norm":0.5,"clipped":false,"projected":false,"projected_count":0,"spectral_norm":1.1,"spectral_radius":0.8,"seconds":0.1}"#
        }
        let text = [ReliabilityLogReadingTests.header, iteration(5), iteration(10), ReliabilityLogReadingTests.epoch("1"),
                    #"{"type":"test","epoch":1,"iteration":10,"test_loss":3,"test_perplexity":20.085536923187668,"valid_perplexity":22.197951281441636,"seconds":1}"#]
        try (text.joined(separator: "\n") + "\n").write(to: logs.appendingPathComponent(name + ".jsonl"), atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let r = try Executables.run("ch05-penn-treebank", ["--skip-sweep", "--from-logs", logs.path, "--out", out.path], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker.path), "the backquoted command ran")
        let script = try String(contentsOf: out.appendingPathComponent("paper-valid-perplexity.gp"), encoding: .utf8)
        XCTAssertFalse(script.contains("`"), script)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("paper-valid-perplexity.png").path))
        let values = try String(contentsOf: out.appendingPathComponent("values.tsv"), encoding: .utf8)
        XCTAssertTrue(values.contains("paper.my_run___touch_"), values)
        // Redrawing from the .gp runs nothing either.
        _ = try Gnuplot.render(script: out.appendingPathComponent("paper-valid-perplexity.gp"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker.path), "redrawing ran the command")
    }
}
