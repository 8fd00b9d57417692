import Cluster
import ClusterProtocol
import Foundation
import Reports

/// `qlstm cluster status`: asks every worker of a cluster file who it is and how fast it answers.
enum ClusterCommand: Command {
    static let name = "cluster"
    static let summary =
        "show each worker of a cluster file: reachable, version, slots, qubits, profile, TLS, round trip"
    static let usage = "qlstm cluster status --cluster FILE [--json]"
    static let options: [OptionSpec] = [
        .value("cluster", "FILE", "the cluster file (default cluster.json)"),
        .flag("json", "print one JSON object"),
        .value("timeout", "S", "seconds to wait for each worker (default 3)"),
    ]

    struct WorkerStatus: Encodable {
        var name: String
        var address: String
        var reachable: Bool
        var error: String?
        var version: String?
        var workerName: String?
        var slots: Int?
        var qubitCapacity: Int?
        var profile: String?
        var authenticated: Bool?
        /// The TLS version, such as `TLSv1.3`, or `nil` for plaintext.
        var tls: String?
        /// The subject of the worker's certificate, over TLS.
        var peerCertificate: String?
        var roundTripMilliseconds: Double?

        enum CodingKeys: String, CodingKey {
            case name, address, reachable, error, version, slots, profile, authenticated, tls
            case workerName = "worker_name"
            case qubitCapacity = "qubit_capacity"
            case peerCertificate = "peer_certificate"
            case roundTripMilliseconds = "round_trip_ms"
        }
    }

    static func run(_ options: ParsedOptions) async throws -> Int32 {
        try options.expectPositionals(1, usage: usage)
        guard options.positionals.first == "status" else {
            throw CommandLineError.missingArgument("the subcommand 'status'", usage: usage)
        }
        let path = options.string("cluster") ?? "cluster.json"
        let timeout = try options.double("timeout", in: 0.01...600) ?? 3
        let configuration: ClusterConfiguration
        do {
            configuration = try ClusterConfiguration(contentsOf: URL(fileURLWithPath: path))
        } catch let error as ClusterError {
            throw CommandLineError.invalidFile(path: path, message: "\(error)")
        }
        let secret = try configuration.secretFile.map { try SharedSecret(contentsOfFile: $0) }
        let tls = try configuration.tlsContexts()
        let statuses = await withTaskGroup(of: (Int, WorkerStatus).self) { group in
            for (index, worker) in configuration.workers.enumerated() {
                group.addTask {
                    let timeout = Duration.milliseconds(Int64(timeout * 1000))
                    return (index, await probe(worker, secret: secret, tls: tls[index], timeout: timeout))
                }
            }
            var all: [(Int, WorkerStatus)] = []
            for await status in group { all.append(status) }
            return all.sorted { $0.0 < $1.0 }.map(\.1)
        }
        if options.flag("json") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(["workers": statuses]), as: UTF8.self))
        } else {
            for status in statuses {
                if status.reachable {
                    let link =
                        status.tls.map { "\($0) (worker certificate \(status.peerCertificate ?? "none"))" }
                        ?? "plaintext"
                    print(
                        "\(status.name) \(status.address): reachable, qlstm \(status.version ?? "?"), \(NumberText.count(status.slots ?? 0, "slot")), "
                            + "\(status.qubitCapacity ?? 0) qubits, profile \(status.profile ?? "?"), \(link), "
                            + "round trip \(String(format: "%.2f", status.roundTripMilliseconds ?? 0)) ms"
                    )
                } else {
                    print("\(status.name) \(status.address): unreachable: \(status.error ?? "unknown")")
                }
            }
        }
        return statuses.allSatisfy(\.reachable) ? 0 : 1
    }

    /// Connects, authenticates, and times five pings (the median is reported).
    static func probe(
        _ worker: ClusterConfiguration.Worker,
        secret: SharedSecret?,
        tls: TLSContext?,
        timeout: Duration
    ) async -> WorkerStatus {
        var status = WorkerStatus(name: worker.name, address: "\(worker.endpoint)", reachable: false)
        do {
            let connection = try await PeerConnection.connect(to: worker.endpoint, timeout: timeout, tls: tls)
            defer { connection.close() }
            let hello = try await Handshake.coordinator(connection, secret: secret, timeout: timeout)
            status.reachable = true
            status.version = hello.softwareVersion
            status.workerName = hello.workerName
            status.slots = Int(hello.qpuSlots)
            status.qubitCapacity = Int(hello.qubitCapacity)
            status.profile = hello.profile
            status.authenticated = secret != nil
            status.tls = connection.tlsSummary?.version
            status.peerCertificate = connection.tlsSummary?.peerSubject
            // A worker that stops answering is cut off, which ends the stream below.
            let watchdog = Task {
                try? await Task.sleep(for: timeout * 2)
                connection.close()
            }
            defer { watchdog.cancel() }
            var iterator = connection.incoming.makeAsyncIterator()
            var times: [Double] = []
            let clock = ContinuousClock()
            for nonce in 1...5 {
                let start = clock.now
                try await connection.send(.ping(nonce: UInt64(nonce)), requestID: 0)
                var answered = false
                while let (_, message) = try await iterator.next() {
                    if case .pong(let answer) = message, answer == UInt64(nonce) {
                        answered = true
                        break
                    }
                }
                guard answered else {
                    throw ClusterError.requestTimedOut(worker: worker.name, seconds: timeout.seconds * 2)
                }
                let elapsed = clock.now - start
                times.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) * 1e-15)
            }
            status.roundTripMilliseconds = times.sorted()[times.count / 2]
            try? await connection.send(.goodbye(reason: "status probe done"), requestID: 0)
        } catch {
            status.error = "\(error)"
        }
        return status
    }
}
