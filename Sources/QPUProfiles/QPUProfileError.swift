/// A profile that cannot be used: one line naming the profile, the key and what to change.
public enum QPUProfileError: Error, Equatable, CustomStringConvertible {
    case unknownName(String, builtIns: [String], suggestion: String?)
    case unreadableFile(path: String)
    case notJSON(path: String)
    case missingKey(profile: String, key: String)
    case unknownKey(profile: String, key: String, suggestion: String?)
    case wrongType(profile: String, key: String, expected: String)
    case invalidValue(profile: String, key: String, value: String, rule: String)

    public var description: String {
        switch self {
        case .unknownName(let name, let builtIns, let suggestion):
            "unknown QPU profile '\(name)'"
                + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
                + " (built-ins: \(builtIns.joined(separator: ", ")); or give a JSON file, see docs/PROFILES.md)"
        case .unreadableFile(let path):
            "cannot read the QPU profile file \(path): check the path"
        case .notJSON(let path):
            "\(path) is not a JSON object: a QPU profile is one object of the keys in docs/PROFILES.md"
        case .missingKey(let profile, let key):
            "QPU profile \(profile): missing key \"\(key)\" (every key of docs/PROFILES.md is required)"
        case .unknownKey(let profile, let key, let suggestion):
            "QPU profile \(profile): unknown key \"\(key)\""
                + (suggestion.map { "; did you mean \"\($0)\"?" } ?? "; see docs/PROFILES.md for the keys")
        case .wrongType(let profile, let key, let expected):
            "QPU profile \(profile): \"\(key)\" must be \(expected)"
        case .invalidValue(let profile, let key, let value, let rule):
            "QPU profile \(profile): \"\(key)\" is \(value), expected \(rule)"
        }
    }
}
