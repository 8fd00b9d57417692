import Datasets
import Foundation
import Testing

@Suite("CSV series")
struct CSVTests {
    /// Writes `text` to a fresh file under the temporary directory.
    private func temporaryFile(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("datasets-test-\(UUID().uuidString).csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func headerAndColumnByName() throws {
        let url = try temporaryFile("date,open,close\n2024-01-01,1.5,2.5\n2024-01-02,3,4\n2024-01-03,5,6e-1\n\n\n")
        defer { try? FileManager.default.removeItem(at: url) }
        let series = try TimeSeries(contentsOfCSV: url, target: "close")
        #expect(series.target == [2.5, 4, 0.6])
        #expect(series.features == [[2.5], [4], [0.6]])
        #expect(series.featureNames == ["close"])
        #expect(series.targetName == "close")
        #expect(series.time == [0, 1, 2])
    }

    @Test func noHeaderColumnByIndex() throws {
        let series = try TimeSeries(csv: "1,10\n2,20\r\n3,30\r\n", target: 1, time: 0)
        #expect(series.target == [10, 20, 30])
        #expect(series.time == [1, 2, 3])
        #expect(series.targetName == "column1")
    }

    @Test func severalFeatureColumns() throws {
        let text = "t,x,y,z\n0,1,2,3\n1,4,5,6\n2,7,8,9\n"
        let series = try TimeSeries(csv: text, target: "z", features: ["x", 2], time: "t")
        #expect(series.featureNames == ["x", "y"])
        #expect(series.features == [[1, 2], [4, 5], [7, 8]])
        #expect(series.target == [3, 6, 9])
        #expect(series.time == [0, 1, 2])
    }

    @Test func quotedFields() throws {
        let text = "\"name, with comma\",\"say \"\"hi\"\"\",value\n\"a\nb\",\"1,5\",\" 1.5 \"\nc,2,2\n"
        let series = try TimeSeries(csv: text, target: "value")
        #expect(series.target == [1.5, 2])
        // The quoted line break puts the second record on line 4; "1,5" is one field.
        #expect(throws: DatasetError.badValue(line: 2, column: "say \"hi\"", index: 1, text: "1,5")) {
            try TimeSeries(csv: text, target: 1)
        }
        #expect(throws: DatasetError.badValue(line: 4, column: "value", index: 2, text: "oops")) {
            try TimeSeries(csv: text.replacingOccurrences(of: "c,2,2", with: "c,2,oops"), target: "value")
        }
    }

    @Test func semicolonAndTabAreDetected() throws {
        let semicolon = try TimeSeries(csv: "a;b\n1;2\n3;4\n", target: "b")
        #expect(semicolon.target == [2, 4])
        let tab = try TimeSeries(csv: "a\tb\n1\t2\n3\t4\n", target: "a")
        #expect(tab.target == [1, 3])
        let explicit = try TimeSeries(csv: "a;b\n1;2\n3;4\n", target: "b", delimiter: ";")
        #expect(explicit == semicolon)
    }

    @Test func badValueNamesLineColumnAndText() {
        let text = "time,price\n0,1.0\n1,abc\n2,3\n"
        #expect(throws: DatasetError.badValue(line: 3, column: "price", index: 1, text: "abc")) {
            try TimeSeries(csv: text, target: "price")
        }
        #expect(throws: DatasetError.badValue(line: 2, column: "column0", index: 0, text: "")) {
            try TimeSeries(csv: "1\n\n3\n", target: 0)
        }
        #expect(throws: DatasetError.badValue(line: 3, column: "x", index: 0, text: "nan")) {
            try TimeSeries(csv: "x\n1\nnan\n", target: "x")
        }
    }

    @Test func unusedTextColumnsAreAllowed() throws {
        let series = try TimeSeries(csv: "label,v\nfirst,1\nsecond,2\n", target: "v")
        #expect(series.target == [1, 2])
    }

    @Test func missingFieldNamesTheLine() {
        #expect(throws: DatasetError.missingField(line: 3, column: "b", index: 1, fieldCount: 1)) {
            try TimeSeries(csv: "a,b\n1,2\n3\n", target: "b")
        }
    }

    @Test func unknownColumnListsTheAvailableOnes() {
        let error = DatasetError.unknownColumn(name: "Close", available: ["date", "close"])
        #expect(throws: error) { try TimeSeries(csv: "date,close\nd1,1\nd2,2\n", target: "Close") }
        #expect(error.description.contains("'date', 'close'"))
    }

    @Test func indexOutOfRangeGivesTheRange() {
        let error = DatasetError.columnOutOfRange(index: 2, count: 2)
        #expect(throws: error) { try TimeSeries(csv: "1,2\n3,4\n", target: 2) }
        #expect(throws: DatasetError.columnOutOfRange(index: -1, count: 2)) {
            try TimeSeries(csv: "1,2\n3,4\n", target: .index(-1))
        }
        #expect(error.description.contains("0...1"))
    }

    @Test func fewerThanTwoRowsIsAnError() {
        #expect(throws: DatasetError.tooFewRows(found: 1, minimum: 2)) { try TimeSeries(csv: "a\n1\n\n", target: "a") }
        #expect(throws: DatasetError.tooFewRows(found: 0, minimum: 2)) { try TimeSeries(csv: "", target: 0) }
        #expect(throws: DatasetError.tooFewRows(found: 0, minimum: 2)) { try TimeSeries(csv: "a,b\n", target: 0) }
    }

    @Test func missingFileNamesThePath() {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString).csv")
        #expect(throws: DatasetError.fileNotFound(path: url.path)) { try TimeSeries(contentsOfCSV: url, target: 0) }
        #expect(DatasetError.fileNotFound(path: url.path).description.contains(url.path))
    }

    @Test func unreadableFilesAreReported() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("datasets-\(UUID().uuidString).csv")
        try Data([0x61, 0x0A, 0xFF, 0xFE, 0x0A]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: DatasetError.unreadableFile(path: url.path, reason: "not UTF-8 text")) {
            try TimeSeries(contentsOfCSV: url, target: 0)
        }
        let directory = FileManager.default.temporaryDirectory
        #expect(throws: DatasetError.self) { try TimeSeries(contentsOfCSV: directory, target: 0) }
    }

    @Test func unterminatedQuoteNamesItsLine() {
        #expect(throws: DatasetError.unterminatedQuote(line: 3)) { try TimeSeries(csv: "a\n1\n\"2\n3\n", target: 0) }
    }

    @Test func columnArgumentsParse() {
        #expect(CSVColumn(argument: "3") == .index(3))
        #expect(CSVColumn(argument: "close") == .name("close"))
        #expect(CSVColumn(argument: "-1") == .name("-1"))
    }
}
