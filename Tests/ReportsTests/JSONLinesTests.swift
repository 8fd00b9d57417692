import Foundation
import Reports
import Testing

private struct EpochRecord: Codable, Equatable {
    var epoch: Int
    var trainLoss: Double
    var model: String
}

@Suite("JSON Lines")
struct JSONLinesTests {
    @Test("A line is compact JSON with sorted keys and one final newline")
    func lineFormat() throws {
        let data = try JSONLines.line(for: EpochRecord(epoch: 3, trainLoss: 0.25, model: "a/b\nc"))
        #expect(String(decoding: data, as: UTF8.self) == "{\"epoch\":3,\"model\":\"a/b\\nc\",\"trainLoss\":0.25}\n")
    }

    @Test("Records round trip through a file, NaN included")
    func roundTrip() throws {
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("metrics.jsonl")
        let records = [
            EpochRecord(epoch: 1, trainLoss: 0.5, model: "centric"),
            EpochRecord(epoch: 2, trainLoss: .infinity, model: "distributed \"M=2\""),
        ]
        for record in records {
            try JSONLines.append(record, toFileAt: url)
        }
        try JSONLines.append(EpochRecord(epoch: 3, trainLoss: .nan, model: "x"), toFileAt: url)
        let read = try JSONLines.read(EpochRecord.self, from: url)
        #expect(Array(read.prefix(2)) == records)
        #expect(read[2].trainLoss.isNaN)
    }

    @Test("Appending through a file handle writes at its position")
    func fileHandle() throws {
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("log.jsonl")
        try JSONLines.append(EpochRecord(epoch: 1, trainLoss: 1, model: "a"), toFileAt: url)
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try JSONLines.append(EpochRecord(epoch: 2, trainLoss: 2, model: "b"), to: handle)
        try handle.close()
        #expect(try JSONLines.read(EpochRecord.self, from: url).map(\.epoch) == [1, 2])
    }

    @Test("A bad line is reported with its 1-based number and the reason")
    func badLine() {
        let text = "{\"epoch\":1,\"model\":\"a\",\"trainLoss\":1}\n\n{\"epoch\":2,\"model\":\"b\"}\n"
        #expect(throws: ReportError.badJSONLine(line: 3, reason: "missing key 'trainLoss'")) {
            try JSONLines.decode(EpochRecord.self, from: Data(text.utf8))
        }
        #expect(throws: ReportError.badJSONLine(line: 2, reason: "not valid JSON")) {
            try JSONLines.decode(
                EpochRecord.self,
                from: Data("{\"epoch\":1,\"model\":\"a\",\"trainLoss\":1}\n{oops\n".utf8)
            )
        }
        #expect(throws: ReportError.badJSONLine(line: 1, reason: "'epoch' is not of type Int")) {
            try JSONLines.decode(
                EpochRecord.self,
                from: Data("{\"epoch\":\"one\",\"model\":\"a\",\"trainLoss\":1}".utf8)
            )
        }
    }

    @Test("A torn last line is skipped only when asked, and CRLF is accepted")
    func tornLastLine() throws {
        let text = "{\"epoch\":1,\"model\":\"a\",\"trainLoss\":1}\r\n{\"epoch\":2,\"mo"
        #expect(throws: ReportError.badJSONLine(line: 2, reason: "not valid JSON")) {
            try JSONLines.decode(EpochRecord.self, from: Data(text.utf8))
        }
        let records = try JSONLines.decode(EpochRecord.self, from: Data(text.utf8), skippingIncompleteLastLine: true)
        #expect(records.map(\.epoch) == [1])
    }

    @Test("Reading a missing file says so")
    func missingFile() {
        #expect(throws: ReportError.readFailed(path: "/nonexistent/metrics.jsonl", reason: "no such file")) {
            try JSONLines.read(EpochRecord.self, from: URL(fileURLWithPath: "/nonexistent/metrics.jsonl"))
        }
    }
}
