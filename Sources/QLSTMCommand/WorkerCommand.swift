import Cluster
import Foundation
import QLSTMCluster
import QPUProfiles

#if canImport(Glibc)
import Glibc
#endif

/// `qlstm worker`: one emulated QPU that coordinators connect to over TCP.
///
/// Standard output carries exactly one line, `listening on HOST:PORT` (with the bound port when
/// port 0 was asked for), flushed at once, so a parent process can start workers on free ports
/// and read where they are. Everything else (one line per connection event) goes to standard
/// error. SIGTERM or SIGINT stops the worker gracefully: running and queued requests are
/// answered, coordinators get `goodbye`, and the process exits with status 0.
enum WorkerCommand: Command {
    static let name = "worker"
    static let summary = "serve circuit evaluations to coordinators as one emulated QPU"
    static let usage =
        "qlstm worker --listen HOST:PORT [--slots N] [--max-qubits Q] [--name NAME] [--profile NAME|FILE] [--emulate-timing [SCALE]] [--secret-file FILE] [--tls-cert FILE --tls-key FILE [--tls-ca FILE]] [--memory-limit SIZE] [--idle-timeout S] [--insecure]"
    static let options: [OptionSpec] = [
        .value(
            "listen",
            "HOST:PORT",
            "where to listen, such as 127.0.0.1:7000, 0.0.0.0:7000 or [::1]:0 (port 0: any free port)"
        ),
        .value("slots", "N", "circuits evaluated at once, one thread each (1...1024; default: the number of cores)"),
        .value("max-qubits", "Q", "the widest circuit accepted (1...25; default 25, or the profile's qubits if fewer)"),
        .value("name", "NAME", "the name coordinators see (default: HOSTNAME:PORT)"),
        .value(
            "profile",
            "NAME|FILE",
            "the QPU to emulate: noise, shots, size, timing (default ideal; `qlstm profiles` lists the built-ins)"
        ),
        .optionalValue(
            "emulate-timing",
            "SCALE",
            implicit: "1",
            "hold each reply for the profile's modelled QPU time times SCALE (default 1 when given; off without)"
        ),
        .value(
            "secret-file",
            "FILE",
            "require coordinators to prove they know this file's secret (mode 600; 'qlstm secret generate FILE' makes one)"
        ),
        .value(
            "memory-limit",
            "SIZE",
            "memory all requests together may use, in bytes or as 512M, 4G (default: 3/4 of physical memory, at most 1/2 of ulimit -v)"
        ),
        .value("idle-timeout", "S", "close a connection that sends nothing, not even a ping, for S seconds (default 300)"),
        .flag(
            "insecure",
            "without --secret-file, listen beyond loopback anyway: anyone who reaches the port may use the worker"
        ),
        .value("tls-cert", "FILE", "serve TLS 1.3 only, with this PEM certificate (chain) naming the worker's address"),
        .value("tls-key", "FILE", "the PEM private key of --tls-cert"),
        .value("tls-ca", "FILE", "require client certificates signed by this PEM CA (mutual TLS)"),
        .flag("exit-with-parent", "stop (as on SIGTERM) when the process that started this worker exits"),
    ]

    static func run(_ options: ParsedOptions) async throws -> Int32 {
        try options.expectPositionals(0, usage: usage)
        let endpoint = try options.listenEndpoint(usage: usage, examplePort: 7000)
        let slots =
            try options.int("slots", in: WorkerConfiguration.slotRange)
            ?? min(ProcessInfo.processInfo.activeProcessorCount, WorkerConfiguration.slotRange.upperBound)
        let profile = try options.string("profile").map { try ProfilesCommand.load($0) } ?? .ideal
        let maxQubits =
            try options.int("max-qubits", in: WorkerConfiguration.qubitRange)
            ?? min(WorkerConfiguration.qubitRange.upperBound, profile.qubits)
        if maxQubits > profile.qubits {
            throw CommandLineError.conflict(
                "--max-qubits \(maxQubits) is more than profile \(profile.name) has (\(profile.qubits) qubits): lower it or choose a wider profile"
            )
        }
        let timingScale = try options.double("emulate-timing", in: 1e-6...1e6)
        let name = options.string("name")
        if let name, name.isEmpty || name.utf8.count > 256 {
            throw CommandLineError.invalidValue(option: "--name", value: name, expected: "1 to 256 bytes")
        }
        let secret = try options.secretFile()
        let tls = try tlsContext(options)
        var memoryLimit = WorkerConfiguration.defaultMemoryLimit
        if let text = options.string("memory-limit") {
            guard let size = ByteCount(parsing: text) else {
                throw CommandLineError.invalidValue(
                    option: "--memory-limit",
                    value: text,
                    expected: "a size in bytes, or with M or G, such as 512M or 4G"
                )
            }
            guard size.bytes >= WorkerConfiguration.minimumMemoryLimit else {
                throw CommandLineError.outOfRange(
                    option: "--memory-limit",
                    value: text,
                    range: "at least \(ByteCount(WorkerConfiguration.minimumMemoryLimit))"
                )
            }
            memoryLimit = size.bytes
        }
        let idleSeconds = try options.double("idle-timeout", in: 0.001...31_536_000) ?? 300

        let configuration = WorkerConfiguration(
            listen: endpoint,
            slots: slots,
            maxQubits: maxQubits,
            name: name,
            profile: profile,
            timingScale: timingScale,
            secret: secret,
            tls: tls,
            softwareVersion: ProjectVersion.current,
            idleTimeout: .milliseconds(Int64((idleSeconds * 1000).rounded())),
            memoryLimit: memoryLimit,
            allowsRemoteWithoutSecret: options.flag("insecure"),
            log: { worker, event in Console.error("\(timestamp()) qlstm worker \(worker): \(event)") }
        )
        let server: WorkerServer
        do {
            server = try WorkerServer(configuration: configuration)
        } catch {
            throw CommandLineError.conflict("\(error)")
        }
        let signals = StopSignals(
            stop: { server.stop() },
            secondSignal: { Console.error("\(timestamp()) qlstm worker: second signal: exiting without finishing") }
        )
        defer { signals.cancel() }
        if options.flag("exit-with-parent") {
            // Local workers of a coordinator that was killed must not linger: once the parent is
            // gone the worker is re-parented, and its parent id changes.
            let parent = getppid()
            Thread.detachNewThread {
                while getppid() == parent { usleep(200_000) }
                server.stop()
            }
        }

        let port: UInt16
        do {
            port = try server.start()
        } catch {
            // A missing secret is a bad command line (status 2), not a failure while running.
            if case .secretRequired = error { throw CommandLineError.conflict("\(error)") }
            throw error
        }
        // Written straight to the descriptor, not through stdio's buffer: a parent reading a
        // pipe must see the line now, not when the worker exits.
        FileHandle.standardOutput.write(Data("listening on \(Endpoint(host: endpoint.host, port: port))\n".utf8))
        try await server.run()
        return 0
    }

    /// The worker's TLS settings from `--tls-cert`, `--tls-key` and `--tls-ca`, loaded; `nil`
    /// without them.
    private static func tlsContext(_ options: ParsedOptions) throws -> TLSContext? {
        let configuration = TLSConfiguration(
            caFile: options.string("tls-ca"),
            certificateFile: options.string("tls-cert"),
            keyFile: options.string("tls-key")
        )
        guard configuration != TLSConfiguration() else { return nil }
        do {
            return try TLSContext(role: .worker, configuration: configuration)
        } catch {
            throw CommandLineError.conflict("\(error)")
        }
    }

    /// ISO 8601 UTC with milliseconds, such as `2025-01-31T12:00:00.123Z`.
    private static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
    }
}
