import ArgumentParser
import Foundation

/// A comma-separated list of numbers given to one flag, e.g. `--w-hh 1.5,2.5` (no spaces needed;
/// spaces around the commas are allowed when the argument is quoted).
///
/// A value that is not a list of finite numbers is refused by swift-argument-parser itself, which
/// names the flag and the value (`The value '1.5,x' is invalid for '--w-hh <w,…>'`) and exits with
/// status 64. What a chapter needs beyond that (how many values, in what interval, distinct) it
/// checks in `validate()` with ``check(_:count:within:distinct:)``, whose errors name the flag too.
package struct NumberList: ExpressibleByArgument, Sendable, Equatable, CustomStringConvertible {
    /// The numbers, in the order given.
    package var values: [Double]

    /// A list of the given numbers (a flag's default).
    package init(_ values: [Double]) { self.values = values }

    /// Parses `1.5,2.5`: every comma-separated entry must read as a finite Double; nil otherwise
    /// (an empty entry, `1.5,,2`, is refused as well).
    package init?(argument: String) {
        var values: [Double] = []
        for part in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let v = Double(part.trimmingCharacters(in: .whitespaces)), v.isFinite else { return nil }
            values.append(v)
        }
        self.values = values
    }

    /// The list as it is typed: `1.5,2.5` (each number as Swift prints it, which reads back exactly).
    package var description: String { values.map { "\($0)" }.joined(separator: ",") }

    /// The default shown by `--help`: the list as it is typed.
    package var defaultValueDescription: String { description }

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
