import Foundation

extension TimeSeries {
    /// Reads a series from a CSV file.
    ///
    /// The first row is a header when any of its fields is not a number; a file without a header
    /// names its columns `column0`, `column1`, .... Only the chosen columns must hold numbers, so
    /// a date or label column may sit beside them.
    ///
    /// - Parameters:
    ///   - url: the file.
    ///   - target: the column to predict.
    ///   - features: the columns the model reads; empty means the target alone (univariate).
    ///   - time: a numeric time column; the 0-based row index when `nil`.
    ///   - delimiter: `,`, `;` or tab; detected from the first line when `nil`.
    /// - Throws: `DatasetError.fileNotFound` or `.unreadableFile`, and every error of
    ///   `init(csv:target:features:time:delimiter:)`.
    public init(
        contentsOfCSV url: URL,
        target: CSVColumn,
        features: [CSVColumn] = [],
        time: CSVColumn? = nil,
        delimiter: Unicode.Scalar? = nil
    ) throws(DatasetError) {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw .fileNotFound(path: path) }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadableFile(path: path, reason: error.localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadableFile(path: path, reason: "not UTF-8 text")
        }
        try self.init(csv: text, target: target, features: features, time: time, delimiter: delimiter)
    }

    /// Reads a series from CSV text; see `init(contentsOfCSV:target:features:time:delimiter:)`.
    ///
    /// - Throws: `DatasetError.unknownColumn` or `.columnOutOfRange` for a column that is not
    ///   there, `.badValue` or `.missingField` naming the 1-based line and the column,
    ///   `.tooFewRows` below 2 data rows, `.unterminatedQuote`.
    public init(
        csv text: String,
        target: CSVColumn,
        features: [CSVColumn] = [],
        time: CSVColumn? = nil,
        delimiter: Unicode.Scalar? = nil
    ) throws(DatasetError) {
        let table = try CSVTable(parsing: text, delimiter: delimiter)
        guard table.records.count >= 2 else { throw .tooFewRows(found: table.records.count, minimum: 2) }
        let width = table.header?.count ?? table.records.map(\.fields.count).max() ?? 0
        let names = table.header ?? (0..<width).map { "column\($0)" }

        func resolve(_ column: CSVColumn) throws(DatasetError) -> Int {
            switch column {
            case .name(let name):
                guard let index = names.firstIndex(of: name) else {
                    throw .unknownColumn(name: name, available: names)
                }
                return index
            case .index(let index):
                guard names.indices.contains(index) else { throw .columnOutOfRange(index: index, count: width) }
                return index
            }
        }
        func values(_ index: Int) throws(DatasetError) -> [Double] {
            var column = [Double]()
            column.reserveCapacity(table.records.count)
            for record in table.records {
                guard record.fields.indices.contains(index) else {
                    throw .missingField(
                        line: record.line,
                        column: names[index],
                        index: index,
                        fieldCount: record.fields.count
                    )
                }
                guard let value = CSVTable.number(record.fields[index]) else {
                    throw .badValue(line: record.line, column: names[index], index: index, text: record.fields[index])
                }
                column.append(value)
            }
            return column
        }

        let targetIndex = try resolve(target)
        var featureIndices = [Int]()
        for column in features { featureIndices.append(try resolve(column)) }
        if featureIndices.isEmpty { featureIndices = [targetIndex] }
        let timeIndex = try time.map { (column) throws(DatasetError) in try resolve(column) }

        let targetValues = try values(targetIndex)
        var featureColumns = [[Double]]()
        for index in featureIndices {
            featureColumns.append(index == targetIndex ? targetValues : try values(index))
        }
        let times = try timeIndex.map { (index) throws(DatasetError) in try values(index) }
        try self.init(
            time: times ?? targetValues.indices.map(Double.init),
            features: targetValues.indices.map { row in featureColumns.map { $0[row] } },
            featureNames: featureIndices.map { names[$0] },
            target: targetValues,
            targetName: names[targetIndex]
        )
    }
}
