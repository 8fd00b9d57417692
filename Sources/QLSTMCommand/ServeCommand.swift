import Cluster
import Datasets
import Foundation
import HTTPServer
import QLSTMCluster

#if canImport(Glibc)
import Glibc
#endif

/// `qlstm serve`: a trained model's forecasts (a classifier's classes and their probabilities)
/// over HTTP/1.1 with JSON (docs/SERVING.md).
///
/// As `qlstm worker` does, standard output carries one line, `listening on HOST:PORT` (the bound
/// port when port 0 was asked for), and everything else goes to standard error. SIGTERM or
/// SIGINT stops it gracefully (requests in progress are answered, then it exits 0); SIGHUP loads
/// the model again and serves it from the next request, or keeps the old one if the new one
/// cannot be loaded.
enum ServeCommand: Command {
    static let name = "serve"
    static let summary =
        "answer forecasts (or a classifier's classes) over HTTP/1.1 with JSON: POST /predict, GET /health, GET /model"
    static let usage =
        "qlstm serve --model RUN --listen HOST:PORT [--secret-file FILE] [--insecure] [--max-body SIZE] [--max-connections N] [--request-timeout S] [--idle-timeout S] [--threads N]"
    static let options: [OptionSpec] = [
        .value("model", "RUN", "a run directory written by qlstm train, or its model.json (read again on SIGHUP)"),
        .value("listen", "HOST:PORT", "where to listen, such as 127.0.0.1:8080 or [::1]:0 (port 0: any free port)"),
        .value(
            "secret-file",
            "FILE",
            "require 'Authorization: Bearer SECRET' with this file's secret (the cluster's; 'qlstm secret generate FILE')"
        ),
        .flag(
            "insecure",
            "without --secret-file, listen beyond loopback anyway: anyone who reaches the port may use it"
        ),
        .value("max-body", "SIZE", "the largest request body, in bytes or as 4M (default 1M; larger: 413)"),
        .value(
            "max-connections",
            "N",
            "connections served at once, a thread each, 1...4096 (default 64; then idle ones make room, or 503)"
        ),
        .value(
            "request-timeout",
            "S",
            "seconds a request may take to arrive, from its first byte, and a response to be taken (default 10; then 408)"
        ),
        .value(
            "idle-timeout",
            "S",
            "close a connection that sends no request (its first or next) for S seconds (default 60)"
        ),
        .value(
            "threads",
            "N",
            "threads per prediction's circuit batch, 1...1024 (default 1: concurrent requests use the cores)"
        ),
    ]

    static func run(_ options: ParsedOptions) async throws -> Int32 {
        try options.expectPositionals(0, usage: usage)
        guard let modelPath = options.string("model") else {
            throw CommandLineError.missingArgument("--model RUN", usage: usage)
        }
        let endpoint = try options.listenEndpoint(usage: usage, examplePort: 8080)
        let secret = try options.secretFile()
        var maxBody = 1 << 20
        if let text = options.string("max-body") {
            guard let size = ByteCount(parsing: text) else {
                throw CommandLineError.invalidValue(
                    option: "--max-body",
                    value: text,
                    expected: "a size in bytes, or with M or G, such as 65536 or 4M"
                )
            }
            guard (1024...(1 << 30)).contains(size.bytes) else {
                throw CommandLineError.outOfRange(option: "--max-body", value: text, range: "1024 bytes ... 1G")
            }
            maxBody = size.bytes
        }
        let maxConnections =
            try options.int("max-connections", in: HTTPServerConfiguration.maxConnectionRange) ?? 64
        let requestSeconds = try options.double("request-timeout", in: 0.001...3600) ?? 10
        let idleSeconds = try options.double("idle-timeout", in: 0.001...86_400) ?? 60
        let threads = try options.int("threads", in: 1...1024) ?? 1

        let log: @Sendable (String) -> Void = { Console.error("\(timestamp()) qlstm serve: \($0)") }
        let service = try await PredictionService(path: modelPath, threads: threads, log: log)
        let configuration = HTTPServerConfiguration(
            listen: endpoint,
            limits: .init(maxBodyBytes: maxBody),
            requestTimeout: .milliseconds(Int64((requestSeconds * 1000).rounded())),
            idleTimeout: .milliseconds(Int64((idleSeconds * 1000).rounded())),
            maxConnections: maxConnections,
            allowsRemoteClients: secret != nil || options.flag("insecure"),
            log: log
        )
        let server = try HTTPServer(
            configuration: configuration,
            check: PredictionService.check(secret: secret),
            handler: { await service.respond(to: $0) }
        )
        let signals = StopSignals(
            stop: { server.stop() },
            secondSignal: { log("second signal: exiting without finishing") },
            others: [
                SIGHUP: {
                    log("SIGHUP: loading \(modelPath) again")
                    Task { await service.reload() }
                }
            ]
        )
        defer { signals.cancel() }

        let port: UInt16
        do {
            port = try server.start()
        } catch {
            // Refusing to serve the world without a secret is a bad command line (status 2).
            if case .authenticationRequired = error { throw CommandLineError.conflict("\(error)") }
            throw error
        }
        let served = service.current
        let classes = served.model.file.specification.data.classes.map { ", a classifier of \($0.count) classes" } ?? ""
        log(
            "serving \(modelPath): model \(served.fingerprint) (\(served.model.windowLength) rows per window\(classes))"
        )
        if secret == nil {
            log(
                options.flag("insecure")
                    ? "WARNING: no shared secret and --insecure: anyone who reaches the port can use this server"
                    : "warning: no shared secret: any local user can use this server (give --secret-file to require one)"
            )
        }
        // Straight to the descriptor: a parent reading a pipe must see the line now.
        FileHandle.standardOutput.write(Data("listening on \(Endpoint(host: endpoint.host, port: port))\n".utf8))
        try await server.run()
        return 0
    }

    /// ISO 8601 UTC with milliseconds, as `qlstm worker` logs.
    private static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
    }
}
