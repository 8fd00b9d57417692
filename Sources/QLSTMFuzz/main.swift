import Cluster
import Foundation
import QuantumSimulator
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

// qlstm-fuzz: starts a real `qlstm worker` and drives it for a given time with random and
// mutated frames, valid-then-garbage sessions, slow drips, half-open and never-reading
// sockets, from several clients at once. It fails (exit 1, one line saying what) when the
// worker crashes, hangs (a fresh authenticated client's ping is not answered in time), or its
// memory grows past a bound after a warm-up. Seeded: the seed is printed, and `--seed` repeats
// every client's choices (the interleaving of the clients is up to the scheduler).

let usage = """
    usage: qlstm-fuzz [--seconds S] [--seed N] [--clients N] [--binary PATH]

    Drives a qlstm worker process with hostile clients and fails on a crash, a hang or growing
    memory. --seconds: how long (default 60); --seed: repeat a run (default: random, printed);
    --clients: connections at a time (default 4); --binary: the qlstm to test (default: the
    qlstm next to this program).
    """

/// The command line.
struct FuzzOptions {
    var seconds = 60.0
    var seed = UInt64.random(in: .min ... .max)
    var clients = 4
    var binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("qlstm").path

    init(_ arguments: [String]) throws(FuzzFailure) {
        var rest = arguments[...]
        while let option = rest.popFirst() {
            if option == "--help" || option == "-h" {
                print(usage)
                exit(0)
            }
            guard let value = rest.popFirst() else { throw FuzzFailure("\(option) needs a value; see --help") }
            switch option {
            case "--seconds":
                guard let seconds = Double(value), seconds > 0, seconds.isFinite else {
                    throw FuzzFailure("--seconds '\(value)': give a positive number")
                }
                self.seconds = seconds
            case "--seed":
                guard let seed = UInt64(value) else { throw FuzzFailure("--seed '\(value)': give a whole number") }
                self.seed = seed
            case "--clients":
                guard let clients = Int(value), (1...64).contains(clients) else {
                    throw FuzzFailure("--clients '\(value)': give 1 to 64")
                }
                self.clients = clients
            case "--binary":
                binary = value
            default:
                throw FuzzFailure("unknown option \(option); see --help")
            }
        }
    }
}

/// The worker's memory limit: small, so that refusals are exercised and the bound is tight.
let memoryLimit = 256 << 20
/// Resident memory above the warm-up's that counts as growth.
let growthBound = 256 << 20
/// How long a fresh client may take to authenticate and get its pong while the others abuse
/// the worker: a hung worker never answers, and a machine shared with other work can be slow.
let pingDeadline: Duration = .seconds(10)

/// Runs the clients until `deadline`, each on its own thread, each choosing scenarios from its
/// own seeded stream; returns how often each scenario ran once all have finished.
func runClients(_ options: FuzzOptions, port: UInt16, secret: SharedSecret, until deadline: Date) async -> [String: Int]
{
    let counts = Mutex<[String: Int]>([:])
    let group = DispatchGroup()
    for client in 0..<options.clients {
        group.enter()
        Thread.detachNewThread {
            var random = FuzzMessages(seed: SeededGenerator.derivedSeed(options.seed, [UInt64(client)]))
            while Date() < deadline {
                let scenario = FuzzScenario.allCases[random.int(0...(FuzzScenario.allCases.count - 1))]
                scenario.run(port: port, secret: secret, random: &random)
                counts.withLock { $0[scenario.rawValue, default: 0] += 1 }
            }
            group.leave()
        }
    }
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async {
            group.wait()
            continuation.resume()
        }
    }
    return counts.withLock { $0 }
}

/// Checks the worker every second until `deadline`: alive, answering, not growing.
func watch(
    _ worker: FuzzedWorker,
    seconds: Double,
    until deadline: Date
) async throws(FuzzFailure) -> (warm: Int, peak: Int) {
    let warmUpEnd = Date().addingTimeInterval(min(10, seconds / 4))
    var warm: Int?
    var peak = 0
    while Date() < deadline {
        try? await Task.sleep(for: .seconds(1))
        try worker.checkAlive()
        try await worker.checkAnswers(within: pingDeadline)
        guard let resident = worker.residentBytes() else { continue }
        peak = max(peak, resident)
        if Date() < warmUpEnd { continue }
        let baseline = warm ?? resident
        warm = baseline
        guard resident <= baseline + growthBound, resident <= memoryLimit + growthBound else {
            throw FuzzFailure(
                "memory: the worker's resident memory grew to \(ByteCount(resident)) after \(ByteCount(baseline)) at the end of the warm-up"
            )
        }
    }
    return (warm ?? peak, peak)
}

let options: FuzzOptions
do {
    options = try FuzzOptions(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("qlstm-fuzz: \(error)\n".utf8))
    exit(2)
}
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("qlstm-fuzz-\(getpid())")
try? FileManager.default.removeItem(at: directory)
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
let secretPath = directory.appendingPathComponent("secret").path
let logPath = directory.appendingPathComponent("worker.log").path
print(
    "qlstm-fuzz: seed \(options.seed) (repeat with --seed \(options.seed)), \(options.seconds) s, \(options.clients) clients, worker \(options.binary)"
)
var worker: FuzzedWorker?
do {
    try SharedSecret.generate(atPath: secretPath)
    let secret = try SharedSecret(contentsOfFile: secretPath)
    let fuzzed = try FuzzedWorker(
        binary: options.binary,
        arguments: [
            "--slots", "2", "--secret-file", secretPath, "--memory-limit", "\(memoryLimit)", "--idle-timeout", "5",
        ],
        secret: secret,
        logPath: logPath
    )
    worker = fuzzed
    let deadline = Date().addingTimeInterval(options.seconds)
    async let counts = runClients(options, port: fuzzed.port, secret: secret, until: deadline)
    let memory = try await watch(fuzzed, seconds: options.seconds, until: deadline)
    let ran = await counts
    try fuzzed.checkAlive()
    try await fuzzed.checkAnswers(within: pingDeadline)
    try fuzzed.stop(within: 15)
    let summary = ran.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    print(
        "qlstm-fuzz: passed: seed \(options.seed), \(ran.values.reduce(0, +)) connections (\(summary)), resident memory \(ByteCount(memory.warm)) after warm-up, peak \(ByteCount(memory.peak))"
    )
    try? FileManager.default.removeItem(at: directory)
    exit(0)
} catch {
    worker?.kill()
    FileHandle.standardError.write(
        Data("qlstm-fuzz: FAILED (seed \(options.seed)): \(error); worker log: \(logPath)\n".utf8)
    )
    exit(1)
}
