import Datasets
import Foundation
import Testing

@Suite("Time series")
struct TimeSeriesTests {
    @Test func rowCountsAreChecked() {
        #expect(throws: DatasetError.lengthMismatch(column: "y", expected: 2, found: 3)) {
            try TimeSeries(
                time: [0, 1],
                features: [[1], [2]],
                featureNames: ["x"],
                target: [1, 2, 3],
                targetName: "y"
            )
        }
        #expect(throws: DatasetError.lengthMismatch(column: "features", expected: 2, found: 1)) {
            try TimeSeries(time: [0, 1], features: [[1]], featureNames: ["x"], target: [1, 2], targetName: "y")
        }
        #expect(throws: DatasetError.lengthMismatch(column: "feature row 1", expected: 1, found: 2)) {
            try TimeSeries(
                time: [0, 1],
                features: [[1], [2, 3]],
                featureNames: ["x"],
                target: [1, 2],
                targetName: "y"
            )
        }
    }

    @Test func codableRoundTripAndCheckedDecoding() throws {
        let series = try NARMA(order: 2, length: 5).series()
        let data = try JSONEncoder().encode(series)
        #expect(try JSONDecoder().decode(TimeSeries.self, from: data) == series)
        let ragged = Data(#"{"time":[0,1],"features":[[1]],"featureNames":["u"],"target":[1,2],"targetName":"y"}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TimeSeries.self, from: ragged) }
    }

    @Test func everyErrorDescriptionIsOneLine() {
        let errors: [DatasetError] = [
            .fileNotFound(path: "/x.csv"), .unreadableFile(path: "/x.csv", reason: "denied"),
            .unterminatedQuote(line: 3), .badValue(line: 2, column: "c", index: 1, text: "x"),
            .badValue(line: 2, column: "c", index: 1, text: ""),
            .missingField(line: 2, column: "c", index: 1, fieldCount: 1),
            .unknownColumn(name: "a", available: ["b"]), .columnOutOfRange(index: 3, count: 2),
            .tooFewRows(found: 1, minimum: 2), .lengthMismatch(column: "y", expected: 2, found: 3),
            .invalidParameter(name: "n", value: "0", expected: "at least 1"),
            .windowsDoNotFit(rows: 6, sequenceLength: 6, horizon: 1, windows: 0, train: 0, test: 0),
            .componentCountOutOfRange(requested: 4, featureCount: 3),
            .nonPositiveValue(column: "close", row: 3, time: 1999.25, value: 0, transform: "log,difference"),
        ]
        for error in errors {
            #expect(!error.description.contains("\n"))
            #expect(error.description.contains(":"))
        }
    }
}
