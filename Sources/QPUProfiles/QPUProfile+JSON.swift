import Foundation
import Suggestions

extension QPUProfile {
    /// The keys of a profile file, in the order `qlstm profiles --json` writes them.
    public static let keys = [
        "name", "qubits", "gate_error_1q", "gate_error_2q", "t1_seconds", "t2_seconds", "gate_seconds_1q",
        "gate_seconds_2q", "readout_error_0to1", "readout_error_1to0", "shots", "job_seconds", "shot_seconds",
    ]
    /// Keys a file may add.
    static let optionalKeys = ["source"]

    /// A built-in by name, or a JSON file by path (anything with a `/` or ending in `.json`).
    /// - Throws: `QPUProfileError` in one line naming what is wrong.
    public static func load(_ nameOrPath: String) throws(QPUProfileError) -> QPUProfile {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".json") {
            guard let data = FileManager.default.contents(atPath: nameOrPath) else {
                throw .unreadableFile(path: nameOrPath)
            }
            return try QPUProfile(json: data, path: nameOrPath)
        }
        if let profile = builtIns.first(where: { $0.name == nameOrPath }) { return profile }
        let names = builtIns.map(\.name)
        throw .unknownName(
            nameOrPath,
            builtIns: names,
            suggestion: Suggestion.nearest(to: nameOrPath, among: names, maximumDistance: 3, ignoringCase: true)
        )
    }

    /// Parses and validates one profile object. Unknown keys are errors (a misspelt
    /// `"gate_eror_2q"` must not leave a noiseless QPU in place), and so are missing ones.
    public init(json data: Data, path: String) throws(QPUProfileError) {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw .notJSON(path: path)
        }
        try self.init(object: object, label: path)
    }

    init(object: [String: Any], label: String) throws(QPUProfileError) {
        let known = Self.keys + Self.optionalKeys
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw .unknownKey(
                profile: label,
                key: unknown,
                suggestion: Suggestion.nearest(to: unknown, among: known, maximumDistance: 4)
            )
        }
        if let missing = Self.keys.first(where: { object[$0] == nil }) {
            throw .missingKey(profile: label, key: missing)
        }
        func number(_ key: String) throws(QPUProfileError) -> Double {
            // JSON booleans also arrive as NSNumber; "true" is not a number of seconds.
            guard let value = object[key] as? NSNumber, value.objCType.pointee != 0x63 /* 'c': BOOL */ else {
                throw .wrongType(profile: label, key: key, expected: "a number")
            }
            return value.doubleValue
        }
        func optionalNumber(_ key: String) throws(QPUProfileError) -> Double? {
            object[key] is NSNull ? nil : try number(key)
        }
        func whole(_ key: String) throws(QPUProfileError) -> Int {
            let value = try number(key)
            guard value.rounded() == value, abs(value) < 1e15 else {
                throw .wrongType(profile: label, key: key, expected: "a whole number")
            }
            return Int(value)
        }
        guard let name = object["name"] as? String else {
            throw .wrongType(profile: label, key: "name", expected: "a string")
        }
        let source = object["source"]
        if source != nil, !(source is String) {
            throw .wrongType(profile: label, key: "source", expected: "a string")
        }
        self.init(
            name: name,
            qubits: try whole("qubits"),
            gateError1q: try number("gate_error_1q"),
            gateError2q: try number("gate_error_2q"),
            t1Seconds: try optionalNumber("t1_seconds"),
            t2Seconds: try optionalNumber("t2_seconds"),
            gateSeconds1q: try number("gate_seconds_1q"),
            gateSeconds2q: try number("gate_seconds_2q"),
            readoutError0to1: try number("readout_error_0to1"),
            readoutError1to0: try number("readout_error_1to0"),
            shots: object["shots"] is NSNull ? nil : try whole("shots"),
            jobSeconds: try number("job_seconds"),
            shotSeconds: try number("shot_seconds"),
            source: source as? String
        )
        try validate()
    }

    /// The profile as a JSON object with `keys` (and `source`), for `qlstm profiles --json`,
    /// manifests and reports.
    public var jsonObject: [String: Any] {
        var object: [String: Any] = [
            "name": name, "qubits": qubits, "gate_error_1q": gateError1q, "gate_error_2q": gateError2q,
            "t1_seconds": t1Seconds ?? NSNull(), "t2_seconds": t2Seconds ?? NSNull(), "gate_seconds_1q": gateSeconds1q,
            "gate_seconds_2q": gateSeconds2q, "readout_error_0to1": readoutError0to1,
            "readout_error_1to0": readoutError1to0, "shots": shots ?? NSNull(), "job_seconds": jobSeconds,
            "shot_seconds": shotSeconds,
        ]
        if let source { object["source"] = source }
        return object
    }
}

extension QPUProfile: Codable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(name, forKey: Key(stringValue: "name"))
        try container.encode(qubits, forKey: Key(stringValue: "qubits"))
        try container.encode(gateError1q, forKey: Key(stringValue: "gate_error_1q"))
        try container.encode(gateError2q, forKey: Key(stringValue: "gate_error_2q"))
        try container.encode(t1Seconds, forKey: Key(stringValue: "t1_seconds"))
        try container.encode(t2Seconds, forKey: Key(stringValue: "t2_seconds"))
        try container.encode(gateSeconds1q, forKey: Key(stringValue: "gate_seconds_1q"))
        try container.encode(gateSeconds2q, forKey: Key(stringValue: "gate_seconds_2q"))
        try container.encode(readoutError0to1, forKey: Key(stringValue: "readout_error_0to1"))
        try container.encode(readoutError1to0, forKey: Key(stringValue: "readout_error_1to0"))
        try container.encode(shots, forKey: Key(stringValue: "shots"))
        try container.encode(jobSeconds, forKey: Key(stringValue: "job_seconds"))
        try container.encode(shotSeconds, forKey: Key(stringValue: "shot_seconds"))
        try container.encodeIfPresent(source, forKey: Key(stringValue: "source"))
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        func value<T: Decodable>(_ key: String) throws -> T {
            try container.decode(T.self, forKey: Key(stringValue: key))
        }
        func optional<T: Decodable>(_ key: String) throws -> T? {
            try container.decodeIfPresent(T.self, forKey: Key(stringValue: key))
        }
        self.init(
            name: try value("name"),
            qubits: try value("qubits"),
            gateError1q: try value("gate_error_1q"),
            gateError2q: try value("gate_error_2q"),
            t1Seconds: try optional("t1_seconds"),
            t2Seconds: try optional("t2_seconds"),
            gateSeconds1q: try value("gate_seconds_1q"),
            gateSeconds2q: try value("gate_seconds_2q"),
            readoutError0to1: try value("readout_error_0to1"),
            readoutError1to0: try value("readout_error_1to0"),
            shots: try optional("shots"),
            jobSeconds: try value("job_seconds"),
            shotSeconds: try value("shot_seconds"),
            source: try optional("source")
        )
    }
}
