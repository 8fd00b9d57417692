import Foundation
import QPUProfiles
import Reports

/// `qlstm profiles`: the built-in QPU profiles, as a table or as JSON.
enum ProfilesCommand: Command {
    static let name = "profiles"
    static let summary = "the built-in QPU profiles (noise, shots, timing) workers and runs can emulate"
    static let usage = "qlstm profiles [--json] [--show NAME|FILE]"
    static let options: [OptionSpec] = [
        .flag("json", "a JSON list of profile objects (the keys of docs/PROFILES.md)"),
        .value("show", "NAME|FILE", "one profile, a built-in or a file, after checking it"),
    ]

    static func run(_ options: ParsedOptions) async throws -> Int32 {
        try options.expectPositionals(0, usage: usage)
        let profiles = try options.string("show").map { [try Self.load($0, option: "--show")] } ?? QPUProfile.builtIns
        if options.flag("json") {
            let data = try JSONSerialization.data(
                withJSONObject: profiles.map(\.jsonObject),
                options: [.prettyPrinted, .sortedKeys]
            )
            print(String(decoding: data, as: UTF8.self))
            return 0
        }
        var table = Table(
            headers: [
                "name", "qubits", "p1", "p2", "T1", "T2", "1q gate", "2q gate", "readout e0/e1", "shots", "job", "shot",
            ],
            alignments: [.left] + Array(repeating: .right, count: 11)
        )
        for p in profiles {
            table.append([
                p.name, "\(p.qubits)", Self.number(p.gateError1q), Self.number(p.gateError2q),
                p.t1Seconds.map(Self.seconds) ?? "-", p.t2Seconds.map(Self.seconds) ?? "-",
                Self.seconds(p.gateSeconds1q),
                Self.seconds(p.gateSeconds2q),
                "\(Self.number(p.readoutError0to1)) / \(Self.number(p.readoutError1to0))",
                p.shots.map(String.init) ?? "exact", Self.seconds(p.jobSeconds), Self.seconds(p.shotSeconds),
            ])
        }
        print(table.markdown())
        for p in profiles where p.source != nil { print("\(p.name): \(p.source!)") }
        return 0
    }

    /// A profile by name or file, as a command-line error when it cannot be used.
    static func load(_ nameOrPath: String, option: String = "--profile") throws -> QPUProfile {
        do {
            return try QPUProfile.load(nameOrPath)
        } catch {
            throw CommandLineError.conflict("\(option): \(error)")
        }
    }

    static func number(_ value: Double) -> String { value == 0 ? "0" : String(format: "%.2g", value) }

    /// "250 us", "1.5 s", "68 ns".
    static func seconds(_ value: Double) -> String {
        switch value {
        case 0: "0"
        case ..<1e-6: String(format: "%.3g ns", value * 1e9)
        case ..<1e-3: String(format: "%.3g us", value * 1e6)
        case ..<1: String(format: "%.3g ms", value * 1e3)
        default: String(format: "%.3g s", value)
        }
    }
}
