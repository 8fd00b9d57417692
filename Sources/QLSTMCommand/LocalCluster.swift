import Cluster
import Foundation
import QLSTMCluster
import QPUProfiles
import Synchronization

/// Worker processes of this same binary on 127.0.0.1, started for one run and stopped after it:
/// the embedded cluster behind `--local-workers N`.
final class LocalCluster: RunWorkerProcesses {
    let configuration: ClusterConfiguration
    private let processes: [Process]

    /// Starts `count` workers on ephemeral ports, splitting the machine's cores between them.
    /// - Parameters:
    ///   - profile: the QPU every worker emulates (ideal when `nil`); a profile file is passed
    ///     to the workers as a temporary copy of its JSON.
    ///   - timingScale: hold replies for the profile's modelled time times this (`--emulate-timing`).
    ///   - log: where the workers' log lines go (their standard error).
    static func start(
        workers count: Int,
        profile: QPUProfile? = nil,
        timingScale: Double? = nil,
        log: FileHandle
    ) throws -> LocalCluster {
        let executable = Self.executableURL()
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let slots = max(1, cores / count)
        var processes: [Process] = []
        var workers: [ClusterConfiguration.Worker] = []
        do {
            for index in 0..<count {
                let process = Process()
                process.executableURL = executable
                process.arguments =
                    [
                        "worker", "--listen", "127.0.0.1:0", "--slots", "\(slots)", "--name", "local-\(index)",
                        "--exit-with-parent",
                    ] + (try profile.map { ["--profile", try Self.profileArgument($0)] } ?? [])
                    + (timingScale.map { ["--emulate-timing", "\($0)"] } ?? [])
                let output = Pipe()
                process.standardOutput = output
                process.standardError = log
                try process.run()
                processes.append(process)
                let line = try Self.firstLine(of: output.fileHandleForReading, timeout: 20)
                guard line.hasPrefix("listening on "),
                    let endpoint = try? Endpoint(parsing: String(line.dropFirst("listening on ".count)))
                else {
                    throw CommandLineError.conflict("local worker \(index) did not start: it printed '\(line)'")
                }
                workers.append(.init(name: "local-\(index)", endpoint: endpoint, profile: profile))
            }
        } catch {
            for process in processes { process.terminate() }
            throw error
        }
        var configuration = ClusterConfiguration(workers: workers)
        // Local workers live as long as the run; a lost one is a real fault, reported quickly.
        configuration.giveUpAfter = .seconds(10)
        return LocalCluster(configuration: configuration, processes: processes)
    }

    /// A built-in's name, or a file holding the profile for the worker to read.
    private static func profileArgument(_ profile: QPUProfile) throws -> String {
        if QPUProfile.builtIns.contains(profile) { return profile.name }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "qlstm-profile-\(UUID().uuidString).json"
        )
        let data = try JSONSerialization.data(withJSONObject: profile.jsonObject, options: [.sortedKeys])
        try data.write(to: url)
        return url.path
    }

    private init(configuration: ClusterConfiguration, processes: [Process]) {
        self.configuration = configuration
        self.processes = processes
    }

    /// Asks every worker to finish (SIGTERM) and waits for them, killing any that hang.
    func stop() {
        for process in processes where process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(5)
        for process in processes {
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
    }

    /// This binary, so the workers run exactly the coordinator's code.
    private static func executableURL() -> URL {
        let link = URL(fileURLWithPath: "/proc/self/exe")
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: link.path) {
            return URL(fileURLWithPath: resolved)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0])
    }

    /// The first line a child prints, or an error after `timeout` seconds.
    private static func firstLine(of handle: FileHandle, timeout: Double) throws -> String {
        let result = LineBox()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            var bytes = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                bytes.append(chunk)
                if bytes.contains(UInt8(ascii: "\n")) { break }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            result.set(String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? ""))
            done.signal()
        }
        guard done.wait(timeout: .now() + timeout) == .success else {
            throw CommandLineError.conflict("a local worker did not report its port within \(Int(timeout)) s")
        }
        return result.value
    }
}

/// A line handed from the reading thread to the waiting one.
private final class LineBox: Sendable {
    private let line = Mutex("")

    func set(_ value: String) { line.withLock { $0 = value } }
    var value: String { line.withLock { $0 } }
}
