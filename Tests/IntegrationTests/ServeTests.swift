import Dispatch
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `qlstm serve` driven over real HTTP/1.1 connections: the same predictions as `qlstm predict`
/// under concurrent clients, every refusal with its status and one clear JSON message, the
/// bearer token, a graceful SIGTERM and a SIGHUP reload.
@Suite("serve", .serialized, .timeLimit(.minutes(5)))
struct ServeTests {
    static let quick = ["train", "--task", "pendulum", "--hidden-size", "3", "--depth", "2", "--quiet"]

    /// A small trained QLSTM (pendulum, 4 qubits) in a fresh directory.
    static func trainedRun(epochs: Int = 2, seed: Int = 0) throws -> (root: URL, run: URL) {
        let root = try QlstmBinary.temporaryDirectory()
        let run = root.appendingPathComponent("run-\(epochs)-\(seed)")
        let outcome = try QlstmBinary.run(quick + ["--epochs", "\(epochs)", "--seed", "\(seed)", "--out", run.path])
        guard outcome.status == 0 else { throw HTTPClient.Failure(description: outcome.standardError) }
        return (root, run)
    }

    /// `count` windows of 4 values (the pendulum's omega range), their CSV for `qlstm predict`,
    /// and `qlstm predict`'s prediction for each, as written.
    static func windowsAndPredictions(
        _ count: Int,
        run: URL,
        in root: URL
    ) throws -> (windows: [[String]], predictions: [String]) {
        let (windows, rows) = try windowsAndPredictions(count, run: run, in: root, columns: 2...2)
        return (windows, rows.map { $0[0] })
    }

    /// As above, with the `columns` of each of `qlstm predict`'s rows (a classifier's class and
    /// probabilities).
    static func windowsAndPredictions(
        _ count: Int,
        run: URL,
        in root: URL,
        columns: ClosedRange<Int>
    ) throws -> (windows: [[String]], rows: [[String]]) {
        let values = (0..<(count + 3)).map { i in "\(2.5 * sin(0.37 * Double(i)) + 0.3 * cos(1.3 * Double(i)))" }
        let csv = root.appendingPathComponent("omega.csv")
        try ("omega\n" + values.joined(separator: "\n") + "\n").write(to: csv, atomically: true, encoding: .utf8)
        let out = root.appendingPathComponent("forecast.csv")
        let predicted = try QlstmBinary.run(["predict", "--model", run.path, "--csv", csv.path, "--out", out.path])
        guard predicted.status == 0 else { throw HTTPClient.Failure(description: predicted.standardError) }
        let rows = try String(contentsOf: out, encoding: .utf8).split(separator: "\n").dropFirst()
        let predictions = rows.map {
            $0.split(separator: ",", omittingEmptySubsequences: false)[columns].map(String.init)
        }
        let windows = (0..<count).map { Array(values[$0..<($0 + 4)]) }
        return (windows, Array(predictions[..<count]))
    }

    static func body(_ windows: [[String]]) -> String {
        "{\"windows\": [" + windows.map { "[" + $0.joined(separator: ", ") + "]" }.joined(separator: ", ") + "]}"
    }

    @Test(
        "1,000 single-window predictions from 8 concurrent clients: no error, each equal to qlstm predict bit for bit"
    )
    func concurrentPredictionsMatchPredict() throws {
        let (root, run) = try Self.trainedRun()
        let (windows, expected) = try Self.windowsAndPredictions(1000, run: run, in: root)
        #expect(expected.count == 1000)
        let server = try ServeProcess(["--model", run.path], in: root)
        let outcomes = Mutex<(answered: Int, failures: [String])>((0, []))
        let group = DispatchGroup()
        for client in 0..<8 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    let connection = try HTTPClient(port: server.port)
                    for index in stride(from: client, to: windows.count, by: 8) {
                        let response = try connection.request("POST", "/predict", body: Self.body([windows[index]]))
                        let texts = response?.predictionTexts ?? []
                        outcomes.withLock {
                            if response?.status == 200 && texts == [expected[index]] {
                                $0.answered += 1
                            } else {
                                $0.failures.append(
                                    "window \(index): \(response.map { "\($0.status) \($0.body)" } ?? "closed") vs \(expected[index])"
                                )
                            }
                        }
                    }
                } catch {
                    outcomes.withLock { $0.failures.append("client \(client): \(error)") }
                }
            }
        }
        group.wait()
        let result = outcomes.withLock { $0 }
        #expect(result.answered == 1000)
        #expect(result.failures.isEmpty, "\(result.failures.prefix(5))")
        // Many windows in one request: the same bits again.
        let batch = try #require(
            try HTTPClient(port: server.port).request("POST", "/predict", body: Self.body(Array(windows[..<300])))
        )
        #expect(batch.predictionTexts == Array(expected[..<300]))
        #expect(server.terminate() == 0)
    }

    @Test(
        "with --secret-file: 401 without the bearer token; then 400, 404, 405, 411 and 413 each with one JSON message"
    )
    func refusals() throws {
        let (root, run) = try Self.trainedRun()
        let secretFile = root.appendingPathComponent("secret")
        #expect(try QlstmBinary.run(["secret", "generate", secretFile.path]).status == 0)
        let secret = try String(contentsOf: secretFile, encoding: .utf8).trimmingCharacters(in: .newlines)
        let server = try ServeProcess(
            ["--model", run.path, "--secret-file", secretFile.path, "--max-body", "2048"],
            in: root
        )
        let auth = ["Authorization": "Bearer \(secret)"]

        let anonymous = try #require(try HTTPClient(port: server.port).request("GET", "/health"))
        #expect(anonymous.status == 401 && anonymous.headers["www-authenticate"] == "Bearer realm=\"qlstm\"")
        #expect(anonymous.errorMessage.contains("Authorization: Bearer"), "\(anonymous.body)")
        let wrong = try #require(
            try HTTPClient(port: server.port).request("GET", "/health", headers: ["Authorization": "Bearer \(secret)0"])
        )
        #expect(
            wrong.status == 401 && wrong.errorMessage == "the bearer token is not this server's secret",
            "\(wrong.body)"
        )

        let client = try HTTPClient(port: server.port)
        let health = try #require(try client.request("GET", "/health", headers: auth))
        #expect(
            health.status == 200 && health.body.contains("\"status\":\"ok\"") && health.body.contains("\"window\":4")
        )
        let fingerprint = try #require(health.body.firstMatch(of: /"fingerprint":"([0-9a-f]{32})"/)?.1)
        let model = try #require(try client.request("GET", "/model", headers: auth))
        #expect(model.status == 200 && model.body.contains("\"fingerprint\" : \"\(fingerprint)\""))

        let bad: [(String, String)] = [
            ("{\"windows\": [[1, 2, 3, 4], [1, 2, 3]]}", "windows[1] has 3 rows; the model reads windows of 4"),
            ("{\"windows\": [[1, 2, NaN, 4]]}", "invalid JSON at byte 20: NaN and Infinity are not JSON numbers"),
            ("{\"windows\": [[1, 2, \"3\", 4]]}", "windows[0][2] is a string, not a number"),
            ("{\"windows\": [[1, 2, null, 4]]}", "windows[0][2] is null, not a number"),
            ("{\"windows\": [[1, 2, [3, 1], 4]]}", "windows[0][2] has 2 values; the model reads 1 per row (omega)"),
            ("{\"windows\": []}", "\"windows\" is empty"),
            ("{\"window\": [[1, 2, 3, 4]]}", "unknown key \"window\""),
            ("[[1, 2, 3, 4]]", "the body is an array; send {\"windows\": [[x_1, ..., x_4], ...]}"),
            ("{\"windows\": [[1, 2, 3, 1e999]]}", "beyond the range of a Double"),
            ("{\"windows\": [[1, 2, 3, 4]", "invalid JSON at byte 25"),
        ]
        for (body, message) in bad {
            let response = try #require(try client.request("POST", "/predict", body: body, headers: auth))
            #expect(response.status == 400, "\(body): \(response.body)")
            #expect(response.errorMessage.contains(message), "\(body): \(response.body)")
            #expect(response.body.hasPrefix("{\"error\":\"") && response.headers["content-type"] == "application/json")
        }
        let large = try #require(
            try client.request(
                "POST",
                "/predict",
                body: Self.body(Array(repeating: ["1.5", "2.5", "3.5", "4.5"], count: 200)),
                headers: auth
            )
        )
        #expect(
            large.status == 413 && large.errorMessage.contains("more than the 2048 this server accepts"),
            "\(large.body)"
        )

        let other = try HTTPClient(port: server.port)
        let missing = try #require(try other.request("GET", "/forecast", headers: auth))
        #expect(missing.status == 404 && missing.errorMessage.contains("POST /predict, GET /health and GET /model"))
        let method = try #require(try other.request("GET", "/predict", headers: auth))
        #expect(method.status == 405 && method.headers["allow"] == "POST", "\(method)")
        try other.send("POST /predict HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(secret)\r\n\r\n")
        let length = try #require(try other.response())
        #expect(length.status == 411 && length.errorMessage.contains("Content-Length"), "\(length.body)")
        #expect(server.terminate() == 0)
    }

    @Test("SIGTERM: a request in progress is answered in full, then the server exits 0")
    func gracefulStop() throws {
        let (root, run) = try Self.trainedRun()
        let server = try ServeProcess(["--model", run.path, "--max-body", "8M"], in: root)
        let idle = try HTTPClient(port: server.port)
        #expect(try idle.request("GET", "/health")?.status == 200)
        // About 4 MB of windows: over two seconds of parsing and predicting in a release build.
        let windows = (0..<50_000).map { i in (0..<4).map { "\(sin(Double(i + $0) * 0.1))" } }
        let body = Self.body(windows)
        let busy = try HTTPClient(port: server.port)
        // 100 Continue says the server holds the head: the request is in progress from then on.
        try busy.send(
            "POST /predict HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        )
        #expect(try busy.response()?.status == 100)
        try busy.send(body)
        server.signal(SIGTERM)
        let answer = try #require(try busy.response())
        #expect(answer.status == 200 && answer.predictionTexts.count == windows.count)
        #expect(answer.headers["connection"] == "close")
        #expect(try idle.isClosedByServer())
        #expect(server.waitForExit() == 0)
        #expect(server.log.contains("stopping: finishing 1 request(s) in progress"), "\(server.log)")
        #expect(server.log.contains("stopped"))
    }

    @Test("SIGHUP serves the run the path now names; a model that fails to load leaves the old one serving")
    func reload() throws {
        let (root, first) = try Self.trainedRun(epochs: 1)
        let second = try Self.trainedRun(epochs: 3, seed: 1).run
        let current = root.appendingPathComponent("current")
        try FileManager.default.createSymbolicLink(at: current, withDestinationURL: first)
        let (windows, expected) = try Self.windowsAndPredictions(20, run: second, in: root)
        let server = try ServeProcess(["--model", current.path], in: root)
        let client = try HTTPClient(port: server.port)
        func fingerprint() throws -> String? {
            try client.request("GET", "/health")?.body.firstMatch(of: /"fingerprint":"([0-9a-f]{32})"/).map {
                String($0.1)
            }
        }
        let before = try #require(try fingerprint())
        #expect(try client.request("POST", "/predict", body: Self.body(windows))?.predictionTexts != expected)

        // Switched as a deployment does: a new link renamed over the old one.
        let next = root.appendingPathComponent("current.next")
        try FileManager.default.createSymbolicLink(at: next, withDestinationURL: second)
        #expect(rename(next.path, current.path) == 0)
        server.signal(SIGHUP)
        #expect(server.waitForLog("reloaded \(current.path): serving model"), "\(server.log)")
        let after = try #require(try fingerprint())
        #expect(after != before)
        #expect(try client.request("POST", "/predict", body: Self.body(windows))?.predictionTexts == expected)

        let broken = root.appendingPathComponent("broken")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try "{\"format\": \"qlstm-model\", \"formatVersion\": 1}".write(
            to: broken.appendingPathComponent("model.json"),
            atomically: true,
            encoding: .utf8
        )
        try FileManager.default.createSymbolicLink(at: next, withDestinationURL: broken)
        #expect(rename(next.path, current.path) == 0)
        server.signal(SIGHUP)
        #expect(server.waitForLog("failed, still serving model \(after)"), "\(server.log)")
        #expect(try fingerprint() == after)
        #expect(try client.request("POST", "/predict", body: Self.body(windows))?.predictionTexts == expected)
        #expect(server.terminate() == 0)
    }

    @Test("a classifier: each window's class and probabilities are qlstm predict's, text for text")
    func classifierMatchesPredict() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let run = root.appendingPathComponent("direction")
        let trained = try QlstmBinary.run([
            "train", "--task", "pendulum", "--objective", "classification", "--hidden-size", "2", "--depth", "2",
            "--epochs", "2", "--quiet", "--out", run.path,
        ])
        try #require(trained.status == 0, "\(trained.standardError)")
        // predict's CSV: input_end_time,target_time,predicted_class,probability_0,probability_1,truth_class.
        let (windows, rows) = try Self.windowsAndPredictions(40, run: run, in: root, columns: 2...4)
        let server = try ServeProcess(["--model", run.path], in: root)
        #expect(server.log.contains("a classifier of 2 classes"), "\(server.log)")
        let client = try HTTPClient(port: server.port)
        let answer = try #require(try client.request("POST", "/predict", body: Self.body(windows)))
        #expect(answer.status == 200, "\(answer.body)")
        let body = answer.body.trimmingCharacters(in: .newlines)
        let classes = try #require(body.firstMatch(of: /^\{"classes":\[([0-9,]*)\],"probabilities":\[\[(.*)\]\]\}$/))
        let probabilities = classes.2.split(separator: "],[").map { $0.split(separator: ",").map(String.init) }
        #expect(classes.1.split(separator: ",").map(String.init) == rows.map { $0[0] })
        #expect(probabilities == rows.map { Array($0[1...]) })
        // One window alone: the same bits as in the batch.
        let single = try #require(try client.request("POST", "/predict", body: Self.body([windows[7]])))
        let alone = "{\"classes\":[\(rows[7][0])],\"probabilities\":[[\(rows[7][1...].joined(separator: ","))]]}\n"
        #expect(single.body == alone)
        let short = try #require(try client.request("POST", "/predict", body: "{\"windows\": [[1, 2, 3]]}"))
        #expect(short.status == 400 && short.errorMessage.contains("windows[0] has 3 rows"), "\(short.body)")
        #expect(try client.request("GET", "/health")?.body.contains("\"status\":\"ok\"") == true)
        #expect(server.terminate() == 0)
    }

    @Test("beyond loopback without a secret it refuses to start (exit 2), unless --insecure; a bad --model is one line")
    func startupChecks() throws {
        let (root, run) = try Self.trainedRun(epochs: 1)
        let refused = try QlstmBinary.run(["serve", "--model", run.path, "--listen", "0.0.0.0:0"])
        #expect(refused.status == 2, "\(refused.standardError)")
        #expect(refused.standardError.contains("give --secret-file"), "\(refused.standardError)")
        #expect(refused.standardOutput.isEmpty)

        let insecure = try ServeProcess(["--model", run.path, "--insecure"], in: root, listen: "0.0.0.0:0")
        #expect(try HTTPClient(port: insecure.port).request("GET", "/health")?.status == 200)
        #expect(insecure.log.contains("WARNING: no shared secret and --insecure"))
        #expect(insecure.terminate() == 0)

        let missing = try QlstmBinary.run([
            "serve", "--model", root.appendingPathComponent("none").path, "--listen", "127.0.0.1:0",
        ])
        #expect(missing.status == 2)
        #expect(missing.standardError.split(separator: "\n").count == 1, "\(missing.standardError)")
    }
}
