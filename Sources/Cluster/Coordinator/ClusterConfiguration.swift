import Foundation
import QPUProfiles
import Suggestions

/// What `cluster.json` says: the workers to use and how patient to be with them.
///
/// Unknown keys are errors (naming the nearest known key), never ignored: a misspelt
/// `"heartbeat_secnds"` must not silently leave the default in place.
public struct ClusterConfiguration: Sendable, Hashable {
    public struct Worker: Sendable, Hashable {
        public var name: String
        public var endpoint: Endpoint
        /// The QPU profile this worker must announce (`qlstm worker --profile`); `nil` accepts
        /// whatever it announces. Declaring one pins placement and gives the coordinator the
        /// profile's timing for `summary.json`.
        public var profile: QPUProfile?
        /// This worker's TLS settings, in place of the cluster's (`tls(for:)`).
        public var tls: TLSConfiguration?

        public init(name: String, endpoint: Endpoint, profile: QPUProfile? = nil, tls: TLSConfiguration? = nil) {
            self.name = name
            self.endpoint = endpoint
            self.profile = profile
            self.tls = tls
        }
    }

    public var workers: [Worker]
    /// Sub-VQC id (such as `"forget/1"`) to worker name, for pinned placement; circuits not
    /// named here are dealt round-robin over the workers that can hold them.
    public var placement: [String: String] = [:]
    /// Whether each sub-VQC runs on one QPU for the whole run (the paper's modular picture):
    /// asked for by declaring profiles or a placement here, or by a worker with a noisy profile.
    public var declaresPinning: Bool { !placement.isEmpty || workers.contains { $0.profile != nil } }
    /// The shared secret's file (mode 0600), for mutual authentication; `nil` for none.
    public var secretFile: String?
    /// TLS for every worker without settings of its own; `nil`: plaintext.
    public var tls: TLSConfiguration?
    /// How long to wait for a TCP connection and the handshake.
    public var connectTimeout: Duration = .seconds(5)
    /// How long one request may take before it is sent to another worker.
    public var requestTimeout: Duration = .seconds(120)
    /// How often idle connections are pinged; a worker silent for three intervals is lost.
    public var heartbeatInterval: Duration = .seconds(1)
    /// How long to wait for a capable worker to come back before giving up.
    public var giveUpAfter: Duration = .seconds(20)
    /// First and largest pause between reconnection attempts (doubling, with jitter).
    public var backoffInitial: Duration = .milliseconds(100)
    public var backoffMaximum: Duration = .seconds(2)
    /// `--verify-fraction`: items also evaluated on a second QPU (or in process) and compared;
    /// `nil`: off. Set by the command line, not by cluster.json: it belongs to a run.
    public var verification: Verification?

    public init(workers: [Worker], secretFile: String? = nil) {
        self.workers = workers
        self.secretFile = secretFile
    }

    static let keys = ["version", "workers", "secret_file", "tls", "timeouts", "placement"]
    static let workerKeys = ["name", "address", "profile", "tls"]
    static let timeoutKeys = [
        "connect_seconds", "request_seconds", "heartbeat_seconds", "give_up_seconds", "backoff_initial_seconds",
        "backoff_max_seconds",
    ]

    /// Reads and checks a cluster file.
    /// - Throws: `ClusterError.configuration` naming the file, the key and what to change.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ClusterError.configuration(
                path: url.path,
                problem: "cannot be read: check the path (see cluster.json in the project for an example)"
            )
        }
        let directory = url.deletingLastPathComponent()
        try self.init(json: data, path: url.path, directory: directory)
        if let secret = secretFile, !secret.hasPrefix("/") {
            // A relative secret path is relative to the cluster file, not to the working directory.
            secretFile = directory.appendingPathComponent(secret).path
        }
        tls = tls?.resolvingPaths(relativeTo: directory)
        for index in workers.indices { workers[index].tls = workers[index].tls?.resolvingPaths(relativeTo: directory) }
    }

    /// Parses the JSON text of a cluster file.
    /// - Parameter directory: where relative profile paths start (the cluster file's folder).
    public init(json: Data, path: String = "cluster.json", directory: URL? = nil) throws {
        func fail(_ problem: String) -> ClusterError { .configuration(path: path, problem: problem) }
        guard let object = try? JSONSerialization.jsonObject(with: json) else {
            throw fail("is not valid JSON")
        }
        guard let root = object as? [String: Any] else { throw fail("must be a JSON object with a \"workers\" list") }
        try Self.refuseUnknownKeys(root, known: Self.keys, where: "the top level", fail: fail)
        if let version = root["version"], (version as? Int) != 1 {
            throw fail("\"version\" must be 1")
        }
        guard let list = root["workers"] as? [Any], !list.isEmpty else {
            throw fail("needs a non-empty \"workers\" list of {\"name\": ..., \"address\": \"host:port\"}")
        }
        var workers: [Worker] = []
        for (index, entry) in list.enumerated() {
            guard let worker = entry as? [String: Any] else { throw fail("workers[\(index)] must be an object") }
            try Self.refuseUnknownKeys(worker, known: Self.workerKeys, where: "workers[\(index)]", fail: fail)
            guard let address = worker["address"] as? String else {
                throw fail("workers[\(index)] needs an \"address\": \"host:port\"")
            }
            let endpoint: Endpoint
            do {
                endpoint = try Endpoint(parsing: address)
            } catch {
                throw fail("workers[\(index)].address: \(error)")
            }
            let name = (worker["name"] as? String) ?? address
            if workers.contains(where: { $0.name == name }) {
                throw fail("two workers are named \"\(name)\": names must be unique")
            }
            if workers.contains(where: { $0.endpoint == endpoint }) { throw fail("\(address) is listed twice") }
            var profile: QPUProfile?
            if let value = worker["profile"] {
                guard var text = value as? String, !text.isEmpty else {
                    throw fail("workers[\(index)].profile must be a built-in profile name or a JSON file")
                }
                if let directory, text.contains("/") || text.hasSuffix(".json"), !text.hasPrefix("/") {
                    text = directory.appendingPathComponent(text).path
                }
                do {
                    profile = try QPUProfile.load(text)
                } catch {
                    throw fail("workers[\(index)].profile: \(error)")
                }
            }
            let tls = try worker["tls"].map {
                try Self.tlsConfiguration($0, where: "workers[\(index)].tls", fail: fail)
            }
            workers.append(Worker(name: name, endpoint: endpoint, profile: profile, tls: tls))
        }
        self.init(workers: workers)
        tls = try root["tls"].map { try Self.tlsConfiguration($0, where: "tls", fail: fail) }
        if let value = root["placement"] {
            guard let table = value as? [String: Any] else {
                throw fail(
                    "\"placement\" must be an object of sub-VQC id to worker name, such as {\"forget/0\": \"qpu-a\"}"
                )
            }
            for (circuit, target) in table.sorted(by: { $0.key < $1.key }) {
                guard let worker = target as? String, workers.contains(where: { $0.name == worker }) else {
                    throw fail(
                        "placement[\"\(circuit)\"] must name a worker of this file (\(workers.map(\.name).joined(separator: ", ")))"
                    )
                }
                placement[circuit] = worker
            }
        }
        if let secret = root["secret_file"] {
            guard let path = secret as? String, !path.isEmpty else { throw fail("\"secret_file\" must be a path") }
            secretFile = path
        }
        if let timeouts = root["timeouts"] {
            guard let table = timeouts as? [String: Any] else { throw fail("\"timeouts\" must be an object") }
            try Self.refuseUnknownKeys(table, known: Self.timeoutKeys, where: "timeouts", fail: fail)
            func seconds(_ key: String, _ range: ClosedRange<Double>) throws -> Duration? {
                guard let value = table[key] else { return nil }
                guard let number = (value as? NSNumber)?.doubleValue, range.contains(number) else {
                    throw fail(
                        "timeouts.\(key) must be a number of seconds in \(range.lowerBound)...\(range.upperBound)"
                    )
                }
                return .milliseconds(Int64((number * 1000).rounded()))
            }
            if let value = try seconds("connect_seconds", 0.01...600) { connectTimeout = value }
            if let value = try seconds("request_seconds", 0.01...86_400) { requestTimeout = value }
            if let value = try seconds("heartbeat_seconds", 0.01...600) { heartbeatInterval = value }
            if let value = try seconds("give_up_seconds", 0...86_400) { giveUpAfter = value }
            if let value = try seconds("backoff_initial_seconds", 0.001...600) { backoffInitial = value }
            if let value = try seconds("backoff_max_seconds", 0.001...3600) { backoffMaximum = value }
        }
    }

    static func refuseUnknownKeys(
        _ object: [String: Any],
        known: [String],
        where place: String,
        fail: (String) -> ClusterError
    ) throws {
        for key in object.keys.sorted() where !known.contains(key) {
            let hint = Suggestion.nearest(to: key, among: known, maximumDistance: max(2, key.count / 3)).map {
                "; did you mean \"\($0)\"?"
            }
            throw fail(
                "unknown key \"\(key)\" in \(place)" + (hint ?? "; known keys: " + known.joined(separator: ", "))
            )
        }
    }
}
