import Foundation

/// cluster.json's `"tls"` objects: `{"ca": FILE, "cert": FILE, "key": FILE}` for the whole
/// cluster and, replacing it whole, for one worker.
extension ClusterConfiguration {
    static let tlsKeys = ["ca", "cert", "key"]

    /// The TLS settings the coordinator uses with `worker`: its own, else the cluster's.
    public func tls(for worker: Worker) -> TLSConfiguration? {
        worker.tls ?? tls
    }

    /// Loads each worker's TLS settings, one context per distinct setting.
    /// - Returns: per worker, in order, its context or `nil` for plaintext.
    /// - Throws: `ClusterError.invalidTLSFile` or `.invalidTLSConfiguration`.
    public func tlsContexts() throws(ClusterError) -> [TLSContext?] {
        var loaded: [TLSConfiguration: TLSContext] = [:]
        var contexts: [TLSContext?] = []
        for worker in workers {
            guard let configuration = tls(for: worker) else {
                contexts.append(nil)
                continue
            }
            if loaded[configuration] == nil {
                loaded[configuration] = try TLSContext(role: .coordinator, configuration: configuration)
            }
            contexts.append(loaded[configuration])
        }
        return contexts
    }

    /// Parses one `"tls"` object.
    static func tlsConfiguration(
        _ value: Any,
        where place: String,
        fail: (String) -> ClusterError
    ) throws -> TLSConfiguration {
        let example = "{\"ca\": \"ca.pem\", \"cert\": \"coordinator.pem\", \"key\": \"coordinator.key\"}"
        guard let object = value as? [String: Any] else {
            throw fail("\"\(place)\" must be an object such as \(example)")
        }
        try refuseUnknownKeys(object, known: tlsKeys, where: place, fail: fail)
        func path(_ key: String) throws -> String? {
            guard let entry = object[key] else { return nil }
            guard let text = entry as? String, !text.isEmpty else { throw fail("\(place).\(key) must be a file path") }
            return text
        }
        let configuration = TLSConfiguration(
            caFile: try path("ca"),
            certificateFile: try path("cert"),
            keyFile: try path("key")
        )
        if (configuration.certificateFile == nil) != (configuration.keyFile == nil) {
            throw fail(
                "\(place) needs both \"cert\" and \"key\" (the coordinator's client certificate and its key) or neither"
            )
        }
        return configuration
    }
}

extension TLSConfiguration {
    /// The same settings with relative paths taken relative to `directory` (the cluster file's).
    func resolvingPaths(relativeTo directory: URL) -> TLSConfiguration {
        func resolve(_ path: String?) -> String? {
            guard let path, !path.hasPrefix("/") else { return path }
            return directory.appendingPathComponent(path).path
        }
        return TLSConfiguration(
            caFile: resolve(caFile),
            certificateFile: resolve(certificateFile),
            keyFile: resolve(keyFile)
        )
    }
}
