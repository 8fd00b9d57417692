/// The fields of a CSV text, split into records, before any value is read as a number.
///
/// Handles RFC 4180 quoting (delimiters, doubled quotes and line breaks inside quotes), `\n`,
/// `\r\n` and `\r` line ends, and spaces around unquoted fields. Blank lines at the end are
/// dropped; a blank line in the middle stays as a record of one empty field, so that reading it
/// reports the line instead of silently shortening the series.
struct CSVTable: Sendable, Equatable {
    /// One record with the 1-based line of the file it starts on.
    struct Record: Sendable, Equatable {
        var line: Int
        var fields: [String]
    }

    let delimiter: Unicode.Scalar
    /// Column names from the first record, or `nil` when that record is all numbers.
    let header: [String]?
    /// The data records (after the header, if any).
    let records: [Record]

    /// The candidate delimiters, in the order that breaks ties.
    static let delimiters: [Unicode.Scalar] = [",", ";", "\t"]

    /// Splits `text` into records.
    ///
    /// - Parameter delimiter: the field separator; when `nil`, the one of `,` `;` tab that occurs
    ///   most often (outside quotes) in the first line, `,` on a tie or when none occurs.
    /// - Throws: `DatasetError.unterminatedQuote` when a quoted field never closes.
    init(parsing text: String, delimiter: Unicode.Scalar? = nil) throws(DatasetError) {
        let scalars = Array(text.unicodeScalars.drop { $0 == "\u{FEFF}" })
        let chosen = delimiter ?? Self.detectDelimiter(in: scalars)
        var records = try Self.split(scalars, delimiter: chosen)
        while let last = records.last, last.fields.allSatisfy(\.isEmpty) {
            records.removeLast()
        }
        self.delimiter = chosen
        if let first = records.first, first.fields.contains(where: { !$0.isEmpty && !Self.isNumber($0) }) {
            header = first.fields
            self.records = Array(records.dropFirst())
        } else {
            header = nil
            self.records = records
        }
    }

    /// Whether a field reads as a finite number; NaN and infinities are not data.
    static func isNumber(_ text: String) -> Bool {
        number(text) != nil
    }

    static func number(_ text: String) -> Double? {
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }

    private static func detectDelimiter(in scalars: [Unicode.Scalar]) -> Unicode.Scalar {
        var counts = [Unicode.Scalar: Int]()
        var quoted = false
        for scalar in scalars {
            if scalar == "\"" { quoted.toggle() }
            if !quoted, scalar == "\n" || scalar == "\r" { break }
            if !quoted, delimiters.contains(scalar) { counts[scalar, default: 0] += 1 }
        }
        return delimiters.max { counts[$0, default: 0] < counts[$1, default: 0] } ?? ","
    }

    private static func split(
        _ scalars: [Unicode.Scalar],
        delimiter: Unicode.Scalar
    ) throws(DatasetError) -> [Record] {
        var records = [Record]()
        var fields = [String]()
        var field = String.UnicodeScalarView()
        var quoted = false
        var wasQuoted = false
        var line = 1
        var recordLine = 1
        var quoteLine = 1
        var i = 0

        func endField() {
            let text = String(field)
            fields.append(trimmingSpaces(text))
            field = String.UnicodeScalarView()
            wasQuoted = false
        }
        func endRecord() {
            endField()
            records.append(Record(line: recordLine, fields: fields))
            fields = []
        }

        while i < scalars.count {
            let scalar = scalars[i]
            let isLineEnd = scalar == "\n" || scalar == "\r"
            // A "\r\n" pair is one line end.
            let width = scalar == "\r" && i + 1 < scalars.count && scalars[i + 1] == "\n" ? 2 : 1
            if quoted {
                if scalar == "\"" {
                    if i + 1 < scalars.count, scalars[i + 1] == "\"" {
                        field.append("\"")
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(scalar)
                    if isLineEnd {
                        if width == 2 { field.append("\n") }
                        line += 1
                    }
                }
            } else if scalar == "\"" && field.allSatisfy({ $0 == " " }) {
                field = String.UnicodeScalarView()
                quoted = true
                wasQuoted = true
                quoteLine = line
            } else if scalar == delimiter {
                endField()
            } else if isLineEnd {
                endRecord()
                line += 1
                recordLine = line
            } else {
                field.append(scalar)
            }
            i += width
        }
        if quoted { throw .unterminatedQuote(line: quoteLine) }
        if !fields.isEmpty || !field.isEmpty || wasQuoted { endRecord() }
        return records
    }

    /// Drops spaces and tabs around a field, so "1, 2" reads as two numbers.
    private static func trimmingSpaces(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let start = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
            let end = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return String(scalars[start...end])
    }
}
