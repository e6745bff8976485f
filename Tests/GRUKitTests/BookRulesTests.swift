import XCTest
@testable import grukit_book
import GRUKitChapterSupport

/// The claims ledger's written rules: verdicts and comparison-dependent sentences chosen from the
/// recorded values, never typed by hand.
final class BookRulesTests: XCTestCase {
    static func values(_ pairs: [String: String]) -> [Int: RecordedValues] {
        var out: [Int: RecordedValues] = [:]
        for (key, value) in pairs {
            let dot = key.firstIndex(of: ".")!
            out[Int(key[..<dot])!, default: RecordedValues()][String(key[key.index(after: dot)...])] = value
        }
        return out
    }

    static let template = """
        Spearman {{05.rho}} over {{05.n}} records: ρ(J) {{if 05.rho >= 0.5: tracks | else: does not track}} the gradient.
        *Verdict:* {{verdict: reproduced if 05.rho >= 0.5 and 05.counter == 0 | partly if 05.rho >= 0.5 | otherwise not reproduced}}
        """

    /// Moving one recorded value across a rule's threshold changes the verdict and the sentence that
    /// depends on the same comparison; the verdict shows its rule and the values it read.
    func testMovingAValueAcrossTheThresholdChangesVerdictAndSentence() throws {
        let below = try Rules.weave(Self.template, values: Self.values(["05.rho": "0.49", "05.n": "1399", "05.counter": "45"]))
        XCTAssertTrue(below.contains("ρ(J) does not track the gradient."), below)
        XCTAssertTrue(below.contains("*Verdict:* **not reproduced** — by the rule: reproduced if 05.rho >= 0.5 and 05.counter == 0; "
                                     + "partly if 05.rho >= 0.5; otherwise not reproduced (values: 05.rho = 0.49, 05.counter = 45)"), below)
        let above = try Rules.weave(Self.template, values: Self.values(["05.rho": "0.51", "05.n": "1399", "05.counter": "45"]))
        XCTAssertTrue(above.contains("ρ(J) tracks the gradient."), above)
        XCTAssertTrue(above.contains("*Verdict:* **partly**"), above)
        let clean = try Rules.weave(Self.template, values: Self.values(["05.rho": "0.51", "05.n": "1399", "05.counter": "0"]))
        XCTAssertTrue(clean.contains("*Verdict:* **reproduced**"), clean)
    }

    /// A value not recorded yet (a run still to be made) makes the verdict undecided, naming it, and
    /// takes an `if`'s `unknown:` branch; without one, the rule stops the book instead of guessing.
    func testMissingValuesGiveAnUndecidedVerdictNotAGuess() throws {
        let t = "{{verdict: reproduced if 05.standard.p < 0.05 | otherwise not reproduced}} "
            + "{{if 05.standard.p < 0.05: fewer diverged | else: no difference | unknown: not yet run}}"
        XCTAssertEqual(try Rules.weave(t, values: [:]),
                       "**undecided** (needs 05.standard.p, not recorded yet) — by the rule: reproduced if 05.standard.p < 0.05; "
                       + "otherwise not reproduced not yet run")
        XCTAssertTrue(try Rules.weave(t, values: Self.values(["05.standard.p": "0.01"])).hasPrefix("**reproduced**"))
        XCTAssertThrowsError(try Rules.weave("{{if 05.x > 1: big | else: small}}", values: [:])) { error in
            XCTAssertTrue("\(error)".contains("cannot be decided") && "\(error)".contains("{{05.x}}"), "\(error)")
        }
        // known(): decided from whether the value exists; a plain value inside an untaken branch is not needed.
        XCTAssertEqual(try Rules.weave("{{if known(05.x): x = {{05.x}} | else: x not measured}}", values: [:]), "x not measured")
        XCTAssertEqual(try Rules.weave("{{if known(05.x): x = {{05.x}} | else: x not measured}}", values: Self.values(["05.x": "3"])), "x = 3")
    }

    /// A sentence with a stated condition that its numbers make false stops the weave, naming the
    /// sentence, the condition and the values.
    func testAFalseSentenceStopsTheWeave() throws {
        let t = "{{assert 08.sgd.sigma1 > 2: One epoch took the model across the bifurcation.}}"
        XCTAssertEqual(try Rules.weave(t, values: Self.values(["08.sgd.sigma1": "2.1"])), "One epoch took the model across the bifurcation.")
        XCTAssertThrowsError(try Rules.weave(t, values: Self.values(["08.sgd.sigma1": "1.767"]))) { error in
            let m = "\(error)"
            XCTAssertTrue(m.contains("One epoch took the model across the bifurcation.") && m.contains("08.sgd.sigma1 > 2")
                          && m.contains("false") && m.contains("08.sgd.sigma1 = \"1.767\""), m)
        }
    }

    /// Conditions: numbers with units, k/n counts, strings, and/or/not, nesting; bad rules are named.
    func testConditions() throws {
        let v = Self.values(["07.share": "3.1 %", "05.div": "4/5", "08.origin": "stable", "05.p": "1e-3"])
        func truth(_ c: String) throws -> Rules.Truth { try Rules.evaluate(c, values: v) }
        XCTAssertEqual(try truth("07.share < 5"), .yes)
        XCTAssertEqual(try truth("07.share ≥ 5"), .no)
        XCTAssertEqual(try truth("count(05.div) == 4 and total(05.div) = 5"), .yes)
        XCTAssertEqual(try truth("08.origin == \"stable\" and not (05.p > 0.01)"), .yes)
        XCTAssertEqual(try truth("08.origin != \"stable\" or 05.p < 0.05"), .yes)
        XCTAssertEqual(try truth("05.gone > 1 or 05.p < 0.05"), .yes)
        XCTAssertEqual(try truth("05.gone > 1 and 05.p > 0.05"), .no)
        XCTAssertEqual(try truth("05.gone > 1 and 05.p < 0.05"), .unknown(missing: ["05.gone"]))
        XCTAssertThrowsError(try truth("05.div > 1")) { XCTAssertTrue("\($0)".contains("count()"), "\($0)") }
        XCTAssertThrowsError(try truth("08.origin > 1")) { XCTAssertTrue("\($0)".contains("compares numbers"), "\($0)") }
        XCTAssertThrowsError(try truth("07.share <")) { XCTAssertTrue("\($0)".contains("07.share <"), "\($0)") }
        XCTAssertThrowsError(try Rules.weave("{{if 05.p < 1 big}}", values: v)) { XCTAssertTrue("\($0)".contains("CONDITION: TEXT"), "\($0)") }
        XCTAssertThrowsError(try Rules.weave("{{verdict: fine | otherwise bad}}", values: v)) { XCTAssertTrue("\($0)".contains("WORD if CONDITION"), "\($0)") }
        // Nested rules and values inside a branch; `|` inside a nested rule does not split the outer one.
        XCTAssertEqual(try Rules.weave("{{if 05.p < 1: small ({{if 07.share < 5: cheap | else: dear}}, {{07.share}}) | else: large}}", values: v),
                       "small (cheap, 3.1 %)")
    }

    /// The committed template's rules all parse and decide from the values its own page was woven from
    /// (nothing in it is typed as a verdict by hand): every `*Verdict:*` line holds a rule.
    func testEveryVerdictOfTheLedgerIsARule() throws {
        let template = try String(contentsOf: BookTests.root.appendingPathComponent("book/claims.template.md"), encoding: .utf8)
        let verdictLines = template.split(separator: "\n").filter { $0.hasPrefix("*Verdict:*") }
        XCTAssertEqual(verdictLines.count, 7, "one verdict per claim C1–C7")
        for line in verdictLines { XCTAssertTrue(line.hasPrefix("*Verdict:* {{verdict:"), "NOT OK a verdict typed by hand: \(line)") }
        let page = try String(contentsOf: BookTests.root.appendingPathComponent("book/claims.md"), encoding: .utf8)
        XCTAssertEqual(page.split(separator: "\n").filter { $0.hasPrefix("*Verdict:* **") && $0.contains("— by the rule:") }.count, 7,
                       "book/claims.md is older than its template: run `make book`")
    }
}
