/// Everything the Datasets module can refuse, with what a user needs to fix it.
///
/// Each description is one line: what is wrong, then what to do about it.
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    /// No file at this path.
    case fileNotFound(path: String)
    /// The file exists but could not be read, or is not UTF-8 text.
    case unreadableFile(path: String, reason: String)
    /// A quoted field that is still open at the end of the file.
    case unterminatedQuote(line: Int)
    /// A value in a used column is not a finite number (`text` is empty for an empty field).
    case badValue(line: Int, column: String, index: Int, text: String)
    /// A row ends before a used column.
    case missingField(line: Int, column: String, index: Int, fieldCount: Int)
    /// A column name that the header does not have.
    case unknownColumn(name: String, available: [String])
    /// A 0-based column index past the last column.
    case columnOutOfRange(index: Int, count: Int)
    /// Too few data rows to make a series.
    case tooFewRows(found: Int, minimum: Int)
    /// Columns of a series that disagree in length (a row count check).
    case lengthMismatch(column: String, expected: Int, found: Int)
    /// A parameter outside the values it accepts.
    case invalidParameter(name: String, value: String, expected: String)
    /// The windows do not leave at least one training and one test window.
    case windowsDoNotFit(rows: Int, sequenceLength: Int, horizon: Int, windows: Int, train: Int, test: Int)
    /// The validation fraction leaves no validation window, or no window to fit on.
    case validationDoesNotFit(trainingWindows: Int, fraction: Double, validation: Int)
    /// A PCA width outside 1...feature count.
    case componentCountOutOfRange(requested: Int, featureCount: Int)
    /// K classes of the next move leave a class without a training window (`emptyClass`), or
    /// the training moves give coinciding quantile thresholds (`emptyClass` nil).
    case classesDoNotFit(classes: Int, thresholds: [Double], emptyClass: Int?)
    /// A value <= 0 where a transform takes logarithms; `row` is 0-based.
    case nonPositiveValue(column: String, row: Int, time: Double, value: Double, transform: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            "no file at '\(path)': check the path (relative paths start from the current directory)"
        case .unreadableFile(let path, let reason):
            "cannot read '\(path)' (\(reason)): give a readable UTF-8 text file"
        case .unterminatedQuote(let line):
            "the quoted field starting on line \(line) is never closed: add the closing '\"' (write a quote inside a field as '\"\"')"
        case .badValue(let line, let column, let index, let text):
            text.isEmpty
                ? "line \(line), column '\(column)' (index \(index)) is empty: fill in a number or drop the row"
                : "line \(line), column '\(column)' (index \(index)) holds '\(text)', not a number: fix the value or choose another column"
        case .missingField(let line, let column, let index, let fieldCount):
            "line \(line) has \(fieldCount) field(s), so no column '\(column)' (index \(index)): complete the row or check the delimiter"
        case .unknownColumn(let name, let available):
            "no column named '\(name)': choose one of \(available.map { "'\($0)'" }.joined(separator: ", "))"
        case .columnOutOfRange(let index, let count):
            "column index \(index) is out of range: this file has columns 0...\(count - 1) (0-based)"
        case .tooFewRows(let found, let minimum):
            "found \(found) data row(s): a series needs at least \(minimum)"
        case .lengthMismatch(let column, let expected, let found):
            "'\(column)' has \(found) rows but the series has \(expected): give every column the same length"
        case .invalidParameter(let name, let value, let expected):
            "\(name) = \(value) is invalid: expected \(expected)"
        case .windowsDoNotFit(let rows, let length, let horizon, let windows, let train, let test):
            "\(rows) rows give \(windows) window(s) of length \(length) with horizon \(horizon), split \(train) train / \(test) test: "
                + "both parts need at least one window; use a shorter sequence length or horizon, another train fraction, or more rows"
        case .validationDoesNotFit(let windows, let fraction, let validation):
            "a validation fraction of \(fraction) of \(windows) training window(s) gives \(validation) validation and \(windows - validation) to fit on: "
                + "both need at least one window; choose another validation fraction (0 for none), a larger train fraction, or more rows"
        case .componentCountOutOfRange(let requested, let featureCount):
            "PCA to \(requested) component(s) is impossible with \(featureCount) feature column(s): choose 1...\(featureCount)"
        case .classesDoNotFit(let classes, let thresholds, let empty):
            (empty.map { "class \($0) of \(classes) (thresholds \(thresholds)) holds no training window" }
                ?? "the training windows' moves give coinciding thresholds \(thresholds) for \(classes) classes")
                + ": a classifier cannot learn a class it never sees; use fewer --classes, or a series (or train fraction) whose training part has more distinct moves"
        case .nonPositiveValue(let column, let row, let time, let value, let transform):
            "column '\(column)' holds \(value) in data row \(row + 1) (counting from 1 after any header; time \(Self.number(time))), "
                + "but the transform \(transform) takes logarithms, which need values above 0: use the difference transform, or a column whose values are all above 0"
        }
    }

    /// 17 rather than 17.0 for whole numbers.
    private static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
    }
}
