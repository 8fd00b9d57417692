#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The channels a `NoiseModel` puts after each kind of gate, worked out once (exponentials and
/// square roots) so that the hot loops only multiply.
public struct NoiseChannels: Sendable, Hashable {
    /// After a 1-qubit gate: depolarising, amplitude damping, phase damping, composed.
    let afterSingle: WireChannel
    /// After a 2-qubit gate, on each of its wires: amplitude damping then phase damping.
    let afterTwoPerWire: WireChannel
    /// Trajectories sample the channels one by one.
    let depolarizing1q: Double
    let depolarizing2q: Double
    let relaxation1q: Relaxation
    let relaxation2q: Relaxation

    /// Amplitude damping gamma = 1 - exp(-t/T1) and phase damping lambda = 1 - exp(-2t/T_phi)
    /// for one gate time, with 1/T_phi = 1/T2 - 1/(2 T1).
    struct Relaxation: Sendable, Hashable {
        let gamma: Double
        let lambda: Double
        /// Phase damping is also "Z with probability (1 - sqrt(1 - lambda)) / 2": a mixture of
        /// unitaries, which trajectories sample without looking at the state.
        var phaseFlip: Double { (1 - (1 - lambda).squareRoot()) / 2 }

        init(seconds t: Double, model: NoiseModel) {
            let energy = model.t1Seconds.map { 1 / $0 } ?? 0
            // No T2 means no dephasing beyond T1's: T2 = 2 T1, 1/T_phi = 0.
            let dephasing = model.t2Seconds.map { 1 / $0 - energy / 2 } ?? 0
            gamma = -expm1(-t * energy)
            lambda = -expm1(-2 * t * dephasing)
        }

        var channel: WireChannel { .phaseDamping(lambda).after(.amplitudeDamping(gamma)) }
    }

    public init(_ model: NoiseModel) {
        depolarizing1q = model.depolarizing1q
        depolarizing2q = model.depolarizing2q
        relaxation1q = Relaxation(seconds: model.gateSeconds1q, model: model)
        relaxation2q = Relaxation(seconds: model.gateSeconds2q, model: model)
        afterSingle = relaxation1q.channel.after(.depolarizing(model.depolarizing1q))
        afterTwoPerWire = relaxation2q.channel
    }
}

/// A one-qubit channel that maps populations to populations and scales both coherences by one
/// real factor. Depolarising, amplitude damping and phase damping all have this form, and so
/// does any composition of them:
/// rho00' = p00 rho00 + p01 rho11, rho11' = p10 rho00 + p11 rho11, rho01' = f rho01.
struct WireChannel: Sendable, Hashable {
    var p00, p01, p10, p11: Double
    var coherence: Double

    /// (1 - p) rho + p/3 (X rho X + Y rho Y + Z rho Z): the Bloch vector shrinks by 1 - 4p/3.
    static func depolarizing(_ p: Double) -> WireChannel {
        WireChannel(p00: 1 - 2 * p / 3, p01: 2 * p / 3, p10: 2 * p / 3, p11: 1 - 2 * p / 3, coherence: 1 - 4 * p / 3)
    }

    /// Kraus operators [[1, 0], [0, sqrt(1 - gamma)]] and [[0, sqrt(gamma)], [0, 0]].
    static func amplitudeDamping(_ gamma: Double) -> WireChannel {
        WireChannel(p00: 1, p01: gamma, p10: 0, p11: 1 - gamma, coherence: (1 - gamma).squareRoot())
    }

    /// Kraus operators [[1, 0], [0, sqrt(1 - lambda)]] and [[0, 0], [0, sqrt(lambda)]].
    static func phaseDamping(_ lambda: Double) -> WireChannel {
        WireChannel(p00: 1, p01: 0, p10: 0, p11: 1, coherence: (1 - lambda).squareRoot())
    }

    /// This channel applied after `first`.
    func after(_ first: WireChannel) -> WireChannel {
        WireChannel(
            p00: p00 * first.p00 + p01 * first.p10,
            p01: p00 * first.p01 + p01 * first.p11,
            p10: p10 * first.p00 + p11 * first.p10,
            p11: p10 * first.p01 + p11 * first.p11,
            coherence: coherence * first.coherence
        )
    }
}
