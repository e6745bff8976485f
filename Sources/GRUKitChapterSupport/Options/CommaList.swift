import ArgumentParser
import Foundation

/// The value of a flag that takes a comma-separated list, e.g. `--w-hh 1.5,2.5` or
/// `--methods sgd,clip` (no spaces needed; spaces around the commas are allowed when the argument
/// is quoted). Every list flag of the chapters is one of these: the entries are split and trimmed
/// here, once, and each is read by `Element(argument:)`.
///
/// - `CommaList<Double>` (``NumberList``): a list of finite numbers. A value with an entry that is
///   not one (or is empty, `1.5,,2`) is refused by swift-argument-parser itself, which names the flag
///   and the value (`The value '1.5,x' is invalid for '--w-hh <w,…>'`) and exits with status 64.
///   What a chapter needs beyond that it checks in `validate()` with
///   ``check(_:count:within:distinct:)``, whose errors name the flag and the value that breaks the rule.
/// - `CommaList<String>`: the trimmed entries as typed, for lists whose entries a chapter reads with
///   its own rules (``entries(flag:what:)`` refuses an empty list or entry naming the flag; the
///   caller names the bad entry): `--methods`, `--lrs`, `--clips`, `--deltas`.
package struct CommaList<Element: ExpressibleByArgument>: ExpressibleByArgument, CustomStringConvertible {
    /// The entries, in the order given.
    package var values: [Element]
    /// The argument as it was typed (for a list made in code, its ``description``).
    package let text: String

    /// A list of the given values (a flag's default).
    package init(_ values: [Element]) {
        self.values = values
        text = values.map { "\($0)" }.joined(separator: ",")
    }

    /// Splits `argument` at its commas, trims spaces around each entry and reads each with
    /// `Element(argument:)`; nil when an entry does not read (for numbers also when it is not finite).
    package init?(argument: String) {
        var values: [Element] = []
        for part in Self.split(argument) {
            guard let v = Element(argument: part) else { return nil }
            if let x = v as? Double, !x.isFinite { return nil }
            values.append(v)
        }
        self.values = values
        text = argument
    }

    /// The trimmed entries of a comma-separated text, empty ones kept (`1,,2` → `1`, ``, `2`).
    package static func split(_ text: String) -> [String] {
        text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// The list as it is typed: `1.5,2.5` (each value as Swift prints it; a number reads back exactly).
    package var description: String { values.map { "\($0)" }.joined(separator: ",") }

    /// The default shown by `--help`: the list as it is typed (`1,40`, not `1.0,40.0`).
    package var defaultValueDescription: String { text }
}

extension CommaList: Sendable where Element: Sendable {}
extension CommaList: Equatable where Element: Equatable {
    /// Lists are equal when their values are (however they were typed).
    package static func == (a: CommaList, b: CommaList) -> Bool { a.values == b.values }
}

/// A comma-separated list of finite numbers given to one flag (see ``CommaList``).
package typealias NumberList = CommaList<Double>

extension CommaList where Element == Double {
    /// Refuses the list unless it has `count` values, each in `within`, and (when `distinct`) no value
    /// twice. The error names `flag`, the rule and the value that breaks it.
    ///
    /// - Throws: `ValidationError`, which swift-argument-parser prints as `Error: <message>` with the
    ///   usage line, exiting with status 64.
    package func check(_ flag: String, count: ClosedRange<Int>, within range: ClosedRange<Double>, distinct: Bool = true) throws {
        guard count.contains(values.count) else {
            let howMany = count.lowerBound == count.upperBound ? "exactly \(count.lowerBound)"
                : "\(count.lowerBound) to \(count.upperBound)"
            throw ValidationError("\(flag) takes \(howMany) comma-separated values (got \(values.count): '\(self)').")
        }
        if let bad = values.first(where: { !range.contains($0) }) {
            throw ValidationError("\(flag): \(bad) lies outside \(range.lowerBound)…\(range.upperBound) (got '\(self)').")
        }
        if distinct, let twice = values.first(where: { v in values.filter { $0 == v }.count > 1 }) {
            throw ValidationError("\(flag): \(twice) is given twice (got '\(self)').")
        }
    }
}

extension CommaList where Element == String {
    /// The entries, refusing an empty list (`,`) or an empty entry (`1,,10`) with a message naming
    /// `flag` and the list: a sweep over nothing would train nothing and still report success.
    /// `what` names an entry in the first message ("learning rate", "method").
    /// - Throws: `ValidationError` naming the flag.
    package func entries(flag: String, what: String) throws -> [String] {
        if values.allSatisfy(\.isEmpty) { throw ValidationError("\(flag): the list is empty; name at least one \(what)") }
        if values.contains("") { throw ValidationError("\(flag): \"\(text)\" has an empty entry") }
        return values
    }
}
