/// An emulated QPU: how many qubits it has, how noisy its gates and readout are, how many shots
/// it takes, and how long its jobs last. A worker emulates one (`qlstm worker --profile`), and
/// in-process runs can too (`qlstm train --profile`). Profiles are JSON files with these keys
/// (docs/PROFILES.md); a few built-ins model published devices.
public struct QPUProfile: Sendable, Hashable {
    /// A short name for logs, placement and reports (letters, digits, `.`, `-`, `_`).
    public var name: String
    /// The widest circuit the QPU holds.
    public var qubits: Int
    /// Depolarising probability p1 after every single-qubit gate.
    public var gateError1q: Double
    /// Depolarising probability p2 after every two-qubit gate.
    public var gateError2q: Double
    /// Relaxation and dephasing times; `nil` for none.
    public var t1Seconds: Double?
    public var t2Seconds: Double?
    /// Gate durations: how long relaxation acts per gate, and the job's modelled time.
    public var gateSeconds1q: Double
    public var gateSeconds2q: Double
    /// p(read 1 | prepared 0) and p(read 0 | prepared 1).
    public var readoutError0to1: Double
    public var readoutError1to0: Double
    /// Shots per circuit when a run asks for none; `nil` for exact expectations.
    public var shots: Int?
    /// Fixed cost of one request (queueing, compilation, loading).
    public var jobSeconds: Double
    /// Cost of one shot beyond its gates (readout, reset, cooling).
    public var shotSeconds: Double
    /// Where the figures come from, shown by `qlstm profiles`.
    public var source: String?

    public init(
        name: String,
        qubits: Int,
        gateError1q: Double = 0,
        gateError2q: Double = 0,
        t1Seconds: Double? = nil,
        t2Seconds: Double? = nil,
        gateSeconds1q: Double = 0,
        gateSeconds2q: Double = 0,
        readoutError0to1: Double = 0,
        readoutError1to0: Double = 0,
        shots: Int? = nil,
        jobSeconds: Double = 0,
        shotSeconds: Double = 0,
        source: String? = nil
    ) {
        self.name = name
        self.qubits = qubits
        self.gateError1q = gateError1q
        self.gateError2q = gateError2q
        self.t1Seconds = t1Seconds
        self.t2Seconds = t2Seconds
        self.gateSeconds1q = gateSeconds1q
        self.gateSeconds2q = gateSeconds2q
        self.readoutError0to1 = readoutError0to1
        self.readoutError1to0 = readoutError1to0
        self.shots = shots
        self.jobSeconds = jobSeconds
        self.shotSeconds = shotSeconds
        self.source = source
    }

    /// True when the QPU adds no noise and returns exact expectations: the state-vector path,
    /// and free placement across workers, apply.
    public var isIdeal: Bool { isNoiseless && shots == nil }

    /// True when results carry no noise (shots aside): the adjoint method still applies.
    public var isNoiseless: Bool {
        gateError1q == 0 && gateError2q == 0 && t1Seconds == nil && t2Seconds == nil && readoutError0to1 == 0
            && readoutError1to0 == 0
    }

    /// Checks every rule a profile must follow.
    /// - Throws: `QPUProfileError.invalidValue` naming the key and the rule.
    public func validate() throws(QPUProfileError) {
        func fail(_ key: String, _ value: String, _ rule: String) -> QPUProfileError {
            .invalidValue(profile: name, key: key, value: value, rule: rule)
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")
        guard (1...64).contains(name.count), name.allSatisfy(allowed.contains) else {
            throw fail("name", name, "1 to 64 letters, digits, '.', '-' or '_'")
        }
        guard (1...1_000_000).contains(qubits) else { throw fail("qubits", "\(qubits)", "a whole number from 1") }
        for (key, value) in [
            ("gate_error_1q", gateError1q), ("gate_error_2q", gateError2q), ("readout_error_0to1", readoutError0to1),
            ("readout_error_1to0", readoutError1to0),
        ] where !(value >= 0 && value <= 1) {
            throw fail(key, "\(value)", "a probability in [0, 1]")
        }
        for (key, value) in [
            ("gate_seconds_1q", gateSeconds1q), ("gate_seconds_2q", gateSeconds2q), ("job_seconds", jobSeconds),
            ("shot_seconds", shotSeconds),
        ] where !(value >= 0 && value.isFinite) {
            throw fail(key, "\(value)", "a finite number of seconds >= 0")
        }
        for (key, value) in [("t1_seconds", t1Seconds), ("t2_seconds", t2Seconds)] {
            if let value, !(value > 0 && value.isFinite) {
                throw fail(key, "\(value)", "seconds > 0, or null for none")
            }
        }
        if let t1 = t1Seconds, let t2 = t2Seconds, t2 > 2 * t1 {
            throw fail("t2_seconds", "\(t2)", "T2 <= 2 T1 (t1_seconds is \(t1)): no physical qubit dephases slower")
        }
        if (t1Seconds == nil) != (t2Seconds == nil) {
            throw fail(
                t1Seconds == nil ? "t1_seconds" : "t2_seconds",
                "null",
                "give both t1_seconds and t2_seconds, or neither"
            )
        }
        if let shots, !(1...10_000_000).contains(shots) {
            throw fail("shots", "\(shots)", "1 to 10000000, or null for exact expectations")
        }
    }

    /// Modelled seconds of one request: the job's fixed cost, then every circuit run with its
    /// shots (one pass for exact expectations), each shot its gates plus `shotSeconds`.
    public func requestSeconds(runs: [(count: Int, circuitSeconds: Double)], shots: Int?) -> Double {
        let perRun = Double(shots ?? 1)
        return jobSeconds
            + runs.reduce(0) { $0 + Double($1.count) * perRun * ($1.circuitSeconds + shotSeconds) }
    }
}
