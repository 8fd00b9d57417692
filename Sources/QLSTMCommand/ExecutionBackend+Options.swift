import Cluster
import Foundation
import QLSTMCluster
import QPUProfiles
import QuantumSimulator
import VariationalCircuits

/// The command line's choice of backend: `--threads`, `--local-workers N` or `--cluster FILE`.
extension ExecutionBackend {
    /// Chooses and starts the backend the options ask for.
    /// - Parameter log: where local workers write their log lines.
    /// - Parameter profile: the QPU to emulate in process, or that local workers emulate and
    ///   cluster workers must announce.
    /// - Parameter verification: `--verify-fraction`, for a cluster.
    static func start(
        options: ParsedOptions,
        profile: QPUProfile?,
        verification: Verification? = nil,
        progress: ProgressLine?,
        log: @autoclosure () throws -> FileHandle
    ) async throws -> ExecutionBackend {
        let threads = try options.int("threads", in: 1...1024)
        let workers = try options.int("local-workers", in: 1...64)
        let file = options.string("cluster")
        if workers != nil && file != nil {
            throw CommandLineError.conflict("give either --cluster FILE or --local-workers N, not both")
        }
        if threads != nil && (workers != nil || file != nil) {
            throw CommandLineError.conflict(
                "--threads applies to in-process runs; workers are given their slots with 'qlstm worker --slots'"
            )
        }
        if let file {
            var configuration: ClusterConfiguration
            do {
                configuration = try ClusterConfiguration(contentsOf: URL(fileURLWithPath: file))
            } catch let error as ClusterError {
                throw RunFileError.invalid(path: file, message: "\(error)")
            }
            if let profile {
                // The run's profile is every worker's: declared, so a worker emulating another
                // is refused by name.
                for index in configuration.workers.indices {
                    if let declared = configuration.workers[index].profile, declared.name != profile.name {
                        throw CommandLineError.conflict(
                            "--profile \(profile.name) but \(file) declares profile \(declared.name) for \(configuration.workers[index].name): drop --profile to use the file's profiles"
                        )
                    }
                    configuration.workers[index].profile = profile
                }
            }
            configuration.verification = verification
            return try await connect(to: configuration, local: nil, progress: progress)
        }
        if let workers {
            let local = try LocalCluster.start(workers: workers, profile: profile, log: try log())
            var configuration = local.configuration
            configuration.verification = verification
            do {
                return try await connect(to: configuration, local: local, progress: progress)
            } catch {
                local.stop()
                throw error
            }
        }
        return .inProcess(
            inProcessExecutor(threads: threads ?? ProcessInfo.processInfo.activeProcessorCount, profile: profile)
        )
    }

    /// A backend on the workers of `configuration` (started, at least one worker ready).
    ///
    /// While no worker answers, the wait is shown with a countdown to giving up (a note in
    /// logs), instead of seconds of blank screen.
    static func connect(
        to configuration: ClusterConfiguration,
        local: LocalCluster?,
        progress: ProgressLine?
    ) async throws -> ExecutionBackend {
        let executor = try ClusterExecutor(configuration: configuration, log: { Notes().note($0) })
        let countdown = Task {
            let clock = ContinuousClock()
            let start = clock.now
            // Workers that answer at once need no message.
            try? await Task.sleep(for: .seconds(1))
            var noted = false
            while !Task.isCancelled {
                let states = await executor.workerStates()
                let left = max(0, (configuration.giveUpAfter - (clock.now - start)).seconds)
                let missing = states.filter { !$0.isReady }.map { "\($0.name)\($0.lastError.map { ": \($0)" } ?? "")" }
                let text =
                    "waiting for workers: \(states.count - missing.count) of \(states.count) ready (\(missing.joined(separator: "; "))); giving up in \(Int(left.rounded(.up))) s"
                if progress?.isActive == true {
                    progress?.update(text)
                } else if !noted {
                    Notes().note(text)
                    noted = true
                }
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
        defer { countdown.cancel() }
        try await executor.start()
        return .cluster(executor, local: local)
    }

}
