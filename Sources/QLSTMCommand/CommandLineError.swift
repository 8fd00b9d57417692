
/// A bad command line or input file: one line that says what is wrong and how to fix it
/// (exit status 2).
enum CommandLineError: Error, Equatable, CustomStringConvertible {
    case unknownCommand(String, suggestion: String?)
    case unknownOption(command: String, name: String, suggestion: String?)
    case missingValue(option: String, placeholder: String)
    case flagTakesNoValue(option: String)
    case repeatedOption(option: String)
    case invalidValue(option: String, value: String, expected: String)
    case outOfRange(option: String, value: String, range: String)
    case missingArgument(String, usage: String)
    case unexpectedArgument(String, usage: String)
    case conflict(String)
    case unreadableFile(path: String)
    case invalidFile(path: String, message: String)

    var description: String {
        switch self {
        case .unknownCommand(let name, let suggestion):
            "unknown command '\(name)'"
                + (suggestion.map { "; did you mean '\($0)'?" } ?? "; run 'qlstm help' for the list")
        case .unknownOption(let command, let name, let suggestion):
            "unknown option \(name)"
                + (suggestion.map { "; did you mean \($0)?" } ?? "; run 'qlstm \(command) --help' for the list")
        case .missingValue(let option, let placeholder):
            "\(option) needs a value: \(option) \(placeholder)"
        case .flagTakesNoValue(let option):
            "\(option) is a flag and takes no value"
        case .repeatedOption(let option):
            "\(option) is given twice: give it once"
        case .invalidValue(let option, let value, let expected):
            "\(option) '\(value)' is not valid: expected \(expected)"
        case .outOfRange(let option, let value, let range):
            "\(option) \(value) is out of range: use \(range)"
        case .missingArgument(let what, let usage):
            "missing \(what): usage: \(usage)"
        case .unexpectedArgument(let argument, let usage):
            "unexpected argument '\(argument)': usage: \(usage)"
        case .conflict(let message):
            message
        case .unreadableFile(let path):
            "cannot read '\(path)': check the path and that the file is UTF-8 text"
        case .invalidFile(let path, let message):
            "\(path): \(message)"
        }
    }
}
