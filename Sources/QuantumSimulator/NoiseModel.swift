/// The noise of an emulated NISQ QPU, applied gate by gate.
///
/// After every gate, on the wires it acted on: depolarising (`depolarizing1q` after a 1-qubit
/// gate, `depolarizing2q` after a 2-qubit gate), then thermal relaxation for the gate's duration
/// (amplitude damping, then phase damping). Before measurement, each bit is misread with
/// `readout0to1` (a 0 read as 1) or `readout1to0` (a 1 read as 0). These are the channels of
/// PennyLane's `DepolarizingChannel`, `AmplitudeDamping` and `PhaseDamping`; beware that Qiskit's
/// `depolarizing_error(lam, n)` means p1 = 3 lam / 4 and p2 = 15 lam / 16.
///
/// `t1Seconds == nil` means no energy relaxation (T1 infinite); `t2Seconds == nil` means no
/// dephasing beyond what T1 implies (T2 = 2 T1).
public struct NoiseModel: Sendable, Hashable, Codable {
    /// p1: rho -> (1 - p1) rho + p1/3 (X rho X + Y rho Y + Z rho Z) after every 1-qubit gate.
    public var depolarizing1q: Double
    /// p2: rho -> (1 - p2) rho + p2/15 (sum of P rho P over the 15 non-identity two-qubit Pauli
    /// words) after every 2-qubit gate.
    public var depolarizing2q: Double
    public var t1Seconds: Double?
    public var t2Seconds: Double?
    /// The durations over which relaxation acts after a 1-qubit and a 2-qubit gate.
    public var gateSeconds1q: Double
    public var gateSeconds2q: Double
    /// e0 = p(read 1 | 0).
    public var readout0to1: Double
    /// e1 = p(read 0 | 1).
    public var readout1to0: Double

    public init(
        depolarizing1q: Double = 0,
        depolarizing2q: Double = 0,
        t1Seconds: Double? = nil,
        t2Seconds: Double? = nil,
        gateSeconds1q: Double = 0,
        gateSeconds2q: Double = 0,
        readout0to1: Double = 0,
        readout1to0: Double = 0
    ) {
        self.depolarizing1q = depolarizing1q
        self.depolarizing2q = depolarizing2q
        self.t1Seconds = t1Seconds
        self.t2Seconds = t2Seconds
        self.gateSeconds1q = gateSeconds1q
        self.gateSeconds2q = gateSeconds2q
        self.readout0to1 = readout0to1
        self.readout1to0 = readout1to0
    }

    /// A perfect QPU: no channel at all.
    public static let ideal = NoiseModel()

    /// True when some channel acts after gates (depolarising, or relaxation over a positive time).
    public var hasGateNoise: Bool {
        let relaxes = (t1Seconds != nil || t2Seconds != nil) && (gateSeconds1q > 0 || gateSeconds2q > 0)
        return depolarizing1q > 0 || depolarizing2q > 0 || relaxes
    }

    /// True when no channel acts anywhere: evaluation is the exact state-vector one.
    public var isIdeal: Bool { !hasGateNoise && readout0to1 == 0 && readout1to0 == 0 }

    /// Checks every field's range.
    /// - Throws: `SimulatorError.invalidNoiseParameter` naming the first field that breaks its rule.
    public func validate() throws(SimulatorError) {
        let probabilities = [
            ("depolarizing1q", depolarizing1q), ("depolarizing2q", depolarizing2q),
            ("readout0to1", readout0to1), ("readout1to0", readout1to0),
        ]
        for (field, p) in probabilities where !(0...1).contains(p) {
            throw .invalidNoiseParameter(field: field, value: p, rule: "a probability must lie in [0, 1]")
        }
        for (field, t) in [("t1Seconds", t1Seconds), ("t2Seconds", t2Seconds)] {
            if let t, !(t > 0 && t.isFinite) {
                throw .invalidNoiseParameter(
                    field: field,
                    value: t,
                    rule: "a relaxation time must be positive and finite"
                )
            }
        }
        if let t1 = t1Seconds, let t2 = t2Seconds, t2 > 2 * t1 {
            throw .invalidNoiseParameter(field: "t2Seconds", value: t2, rule: "T2 must be at most 2 T1 (T1 = \(t1) s)")
        }
        for (field, t) in [("gateSeconds1q", gateSeconds1q), ("gateSeconds2q", gateSeconds2q)]
        where !(t >= 0 && t.isFinite) {
            throw .invalidNoiseParameter(
                field: field,
                value: t,
                rule: "a gate time must be zero or positive and finite"
            )
        }
    }

    /// <Z> as read through the readout errors: (1 - e0 - e1) <Z> + (e1 - e0).
    @inlinable
    public func readout(_ z: Double) -> Double {
        (1 - readout0to1 - readout1to0) * z + (readout1to0 - readout0to1)
    }
}

extension NoiseModel {
    private enum CodingKeys: String, CodingKey {
        case depolarizing1q, depolarizing2q, t1Seconds, t2Seconds, gateSeconds1q, gateSeconds2q
        case readout0to1, readout1to0
    }

    /// Decodes a model whose missing fields mean "no such noise", so a profile lists only the
    /// channels its device has.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            depolarizing1q: try c.decodeIfPresent(Double.self, forKey: .depolarizing1q) ?? 0,
            depolarizing2q: try c.decodeIfPresent(Double.self, forKey: .depolarizing2q) ?? 0,
            t1Seconds: try c.decodeIfPresent(Double.self, forKey: .t1Seconds),
            t2Seconds: try c.decodeIfPresent(Double.self, forKey: .t2Seconds),
            gateSeconds1q: try c.decodeIfPresent(Double.self, forKey: .gateSeconds1q) ?? 0,
            gateSeconds2q: try c.decodeIfPresent(Double.self, forKey: .gateSeconds2q) ?? 0,
            readout0to1: try c.decodeIfPresent(Double.self, forKey: .readout0to1) ?? 0,
            readout1to0: try c.decodeIfPresent(Double.self, forKey: .readout1to0) ?? 0
        )
    }
}
