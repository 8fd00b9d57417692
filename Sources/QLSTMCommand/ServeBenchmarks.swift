import Cluster
import Datasets
import Dispatch
import Foundation
import HTTPServer
import QLSTM
import QLSTMCluster
import Synchronization
import VariationalCircuits

/// The `serve` suite: single-window predictions through `qlstm serve`'s whole stack (HTTP
/// parsing, JSON, scaling, the model) on loopback, from 8 clients at once, each on its own
/// kept-alive connection sending its next request as soon as the last is answered.
///
/// The models are the paper's centric 6-qubit QLSTM and the classical LSTM on its pendulum,
/// trained one epoch (the weights do not change the cost of a prediction); the requests are the
/// pendulum's windows in turn. The clients run in this process, so they share the machine with
/// the server, as clients on the same host would.
struct ServeBenchmarks {
    let seconds: Double
    static let clients = 8

    func run(into figures: inout [String: Any]) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "qlstm-bench-serve-\(UUID().uuidString)"
        )
        defer { try? FileManager.default.removeItem(at: root) }
        let series = try BenchmarkTask.pendulum.series()
        let bodies = (0...(series.count - 4)).map { start in
            JSONValue.object([("windows", .array([.array(series.target[start..<(start + 4)].map(JSONValue.number))]))])
                .serialized()
        }
        for (key, model) in [("qlstm_6q", ModelConfiguration()), ("lstm", ModelConfiguration(kind: .lstm))] {
            let directory = root.appendingPathComponent(key)
            try await Self.train(model, into: directory)
            let service = try await PredictionService(path: directory.path, threads: 1, log: { _ in })
            let server = try HTTPServer(
                configuration: HTTPServerConfiguration(listen: Endpoint(host: "127.0.0.1", port: 0)),
                handler: { await service.respond(to: $0) }
            )
            let port = try server.start()
            let running = Task { try await server.run() }
            let load = try await Self.measure(port: port, bodies: bodies, seconds: max(seconds, 2))
            server.stop()
            try await running.value
            let sorted = load.latencies.sorted()
            /// Milliseconds, to the microsecond.
            func percentile(_ p: Double) -> Double {
                sorted.isEmpty
                    ? .nan : (sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1e6).rounded() / 1000
            }
            figures["serve_\(key)_p50_ms"] = percentile(0.5)
            figures["serve_\(key)_p99_ms"] = percentile(0.99)
            figures["serve_\(key)_requests_per_s"] = (Double(sorted.count) / load.seconds).rounded()
            figures["serve_\(key)_requests"] = sorted.count
            figures["serve_\(key)_errors"] = load.errors
        }
        figures["serve_clients"] = Self.clients
    }

    /// Trains `model` one epoch on the pendulum, in process, into `directory`.
    static func train(_ model: ModelConfiguration, into directory: URL) async throws {
        let specification = RunSpecification(
            data: .benchmark(.pendulum),
            model: model,
            training: TrainingSettings(epochs: 1),
            profile: nil
        )
        var run = try await TrainingRun.open(specification, in: directory, backend: .inProcess(LocalExecutor()))
        try await run.train()
    }

    /// Runs the clients for half a second of warm-up, then `seconds` measured.
    /// - Returns: each measured request's seconds, the measured span, and the requests that
    ///   failed or were not answered 200.
    static func measure(
        port: UInt16,
        bodies: [String],
        seconds: Double
    ) async throws -> (latencies: [Double], seconds: Double, errors: Int) {
        let start = DispatchTime.now().uptimeNanoseconds
        let measureFrom = start + 500_000_000
        let end = measureFrom + UInt64(seconds * 1e9)
        let results = Mutex<(latencies: [Double], errors: Int)>(([], 0))
        let group = DispatchGroup()
        for client in 0..<clients {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                var latencies: [Double] = []
                var errors = 0
                do {
                    var connection = try BenchmarkClient(port: port)
                    var index = client
                    while true {
                        let sent = DispatchTime.now().uptimeNanoseconds
                        if sent >= end { break }
                        let ok = try connection.post(bodies[index % bodies.count])
                        let answered = DispatchTime.now().uptimeNanoseconds
                        index += clients
                        if !ok { errors += 1 }
                        if sent >= measureFrom && ok { latencies.append(Double(answered - sent) / 1e9) }
                    }
                } catch {
                    errors += 1
                }
                results.withLock {
                    $0.latencies += latencies
                    $0.errors += errors
                }
            }
        }
        await withCheckedContinuation { continuation in
            group.notify(queue: .global()) { continuation.resume() }
        }
        let finished = DispatchTime.now().uptimeNanoseconds
        return results.withLock { ($0.latencies, Double(max(finished, end) - measureFrom) / 1e9, $0.errors) }
    }
}

/// One kept-alive connection that posts to `/predict` and reads the answer.
private struct BenchmarkClient {
    let socket: Socket
    private var buffer = [UInt8](repeating: 0, count: 65536)

    init(port: UInt16) throws {
        socket = try Socket.connect(to: Endpoint(host: "127.0.0.1", port: port), timeout: .seconds(5))
    }

    /// Sends one request and reads its response.
    /// - Returns: whether it was answered 200.
    mutating func post(_ body: String) throws -> Bool {
        let request = "POST /predict HTTP/1.1\r\nHost: bench\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        try socket.send(Array(request.utf8))
        var received: [UInt8] = []
        var headEnd: Int?
        var length = 0
        while headEnd.map({ received.count < $0 + length }) ?? true {
            let count = try socket.receive(into: &buffer)
            guard count > 0 else { throw ClusterError.connectionClosed(peer: "the server") }
            received += buffer[0..<count]
            if headEnd == nil, let end = Self.find(received) {
                headEnd = end + 4
                let head = String(decoding: received[..<end], as: UTF8.self)
                let field = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                length = field.flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) } ?? 0
            }
        }
        return received.count > 12 && received[9..<12].elementsEqual("200".utf8)
    }

    private static func find(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        return (0...(bytes.count - 4)).first {
            bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10
        }
    }
}
