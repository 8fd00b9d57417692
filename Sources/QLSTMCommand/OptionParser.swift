import Foundation
import Suggestions

/// One option a command accepts.
struct OptionSpec: Sendable {
    let name: String
    /// The placeholder of the option's value (`N`, `FILE`); `nil` for a flag.
    let value: String?
    let help: String
    var repeatable = false
    /// For an option whose value may be left out (`--emulate-timing [SCALE]`): the value it
    /// takes then. The next argument is its value only when it is a number.
    var implicitValue: String?

    static func flag(_ name: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, value: nil, help: help)
    }

    static func value(_ name: String, _ value: String, _ help: String, repeatable: Bool = false) -> OptionSpec {
        OptionSpec(name: name, value: value, help: help, repeatable: repeatable)
    }

    /// An option whose numeric value may be left out, taking `implicit` then.
    static func optionalValue(_ name: String, _ value: String, implicit: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, value: value, help: help, implicitValue: implicit)
    }
}

/// The options and positional arguments of one command line, checked against the command's
/// specs: an unknown option names the closest known one; a missing value says which.
struct ParsedOptions: Sendable {
    private var values: [String: [String]] = [:]
    private(set) var positionals: [String] = []

    init(_ arguments: [String], specs: [OptionSpec], command: String) throws(CommandLineError) {
        let byName = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--"), argument.count > 2 else {
                positionals.append(argument)
                continue
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let spec = byName[name] else {
                throw .unknownOption(command: command, name: "--" + name, suggestion: Self.closest(to: name, in: specs))
            }
            let value: String
            if spec.value == nil {
                guard inlineValue == nil else { throw .flagTakesNoValue(option: "--" + name) }
                value = "true"
            } else if let inlineValue {
                value = inlineValue
            } else if let implicit = spec.implicitValue,
                index >= arguments.count || Double(arguments[index]) == nil
            {
                value = implicit
            } else {
                guard index < arguments.count, !arguments[index].hasPrefix("--") else {
                    throw .missingValue(option: "--" + name, placeholder: spec.value ?? "VALUE")
                }
                value = arguments[index]
                index += 1
            }
            if values[name] != nil && !spec.repeatable { throw .repeatedOption(option: "--" + name) }
            values[name, default: []].append(value)
        }
    }

    /// The known option nearest to a misspelt one, when it is near enough to be the intent.
    static func closest(to name: String, in specs: [OptionSpec]) -> String? {
        Suggestion.nearest(to: name, among: specs.map(\.name), maximumDistance: max(2, name.count / 3)).map {
            "--" + $0
        }
    }

    func isSet(_ name: String) -> Bool { values[name] != nil }

    func flag(_ name: String) -> Bool { values[name] != nil }

    func string(_ name: String) -> String? { values[name]?.last }

    func strings(_ name: String) -> [String] { values[name] ?? [] }

    /// `--shots N` or `--shots exact`: an explicit count, an explicit "no sampling" (`.some(nil)`),
    /// or `nil` when the option is absent (the profile's shots apply).
    func shots(in range: ClosedRange<Int>) throws(CommandLineError) -> Int?? {
        guard let text = string("shots") else { return nil }
        if text == "exact" { return .some(nil) }
        guard Int(text) != nil else {
            throw .invalidValue(option: "--shots", value: text, expected: "a number of shots, or exact")
        }
        return .some(try int("shots", in: range))
    }

    func int(_ name: String, in range: ClosedRange<Int>) throws(CommandLineError) -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text) else {
            throw .invalidValue(option: "--" + name, value: text, expected: "an integer")
        }
        guard range.contains(value) else {
            throw .outOfRange(option: "--" + name, value: text, range: "\(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func uint64(_ name: String) throws(CommandLineError) -> UInt64? {
        guard let text = string(name) else { return nil }
        guard let value = UInt64(text) else {
            throw .invalidValue(option: "--" + name, value: text, expected: "a non-negative integer")
        }
        return value
    }

    func double(_ name: String, in range: ClosedRange<Double>) throws(CommandLineError) -> Double? {
        guard let text = string(name) else { return nil }
        guard let value = Double(text), value.isFinite else {
            throw .invalidValue(option: "--" + name, value: text, expected: "a number")
        }
        guard range.contains(value) else {
            throw .outOfRange(option: "--" + name, value: text, range: "\(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func choice<T: RawRepresentable & CaseIterable>(_ name: String, as type: T.Type) throws(CommandLineError) -> T?
    where T.RawValue == String {
        guard let text = string(name) else { return nil }
        guard let value = T(rawValue: text) else {
            throw .invalidValue(
                option: "--" + name,
                value: text,
                expected: "one of " + T.allCases.map(\.rawValue).joined(separator: ", ")
            )
        }
        return value
    }

    /// Refuses positional arguments beyond `count`.
    func expectPositionals(_ count: Int, usage: String) throws(CommandLineError) {
        if positionals.count > count { throw .unexpectedArgument(positionals[count], usage: usage) }
    }
}

/// The help text of a command: usage line, then one line per option.
func helpText(usage: String, summary: String, specs: [OptionSpec]) -> String {
    let rows = specs.map { spec in
        let value = spec.value.map { spec.implicitValue == nil ? " " + $0 : " [" + $0 + "]" } ?? ""
        return ("--" + spec.name + value, spec.help)
    }
    let width = (rows.map(\.0.count).max() ?? 0) + 2
    let lines = rows.map { "  " + $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + $0.1 }
    return (["usage: " + usage, "", summary, "", "options:"] + lines).joined(separator: "\n")
}
