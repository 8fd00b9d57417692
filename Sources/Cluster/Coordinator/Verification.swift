import QuantumSimulator
import VariationalCircuits

/// `--verify-fraction F`: which items a cluster run evaluates twice, and when two results of
/// one item disagree.
///
/// A reply can pass every check of `ReplyCheck` and still be wrong (a worker that returns
/// plausible numbers); comparing against a second QPU, or the coordinator's own simulation,
/// is the only defence against such a worker. Exact expectations are deterministic (every
/// item's result depends only on its circuit, parameters, inputs and seed), so two honest
/// results agree to rounding: verification is defined for exact results on ideal QPUs only.
public struct Verification: Sendable, Hashable {
    /// The share of items evaluated twice, in (0, 1].
    public var fraction: Double
    /// The run's seed: the choice of items derives from it.
    public var seed: UInt64

    /// The largest difference two honest results of one item may show, relative to the larger
    /// magnitude (absolute below 1). Honest results come from the same kernels and usually
    /// agree bit for bit; 1e-9 leaves room for another build or CPU (fused multiply-adds,
    /// other vector widths), which move an expectation by about 1e-15, while a lie of 1e-6 is
    /// still caught.
    public static let tolerance = 1e-9

    public init(fraction: Double, seed: UInt64) {
        self.fraction = fraction
        self.seed = seed
    }

    /// Whether results of a QPU of this profile can be verified: a noiseless one.
    public static func canVerify(profile name: String) -> Bool { PinnedPlacement.idealProfiles.contains(name) }

    /// Whether `item` is verified: a pure function of the run's seed and the item (circuit,
    /// seed, inputs), so the same items are chosen whatever the worker count, the placement
    /// or the retries.
    public func selects(_ item: EvaluationRequest) -> Bool {
        let path = [UInt64(item.circuit), item.seed] + item.inputs.map(\.bitPattern)
        let hash = SeededGenerator.derivedSeed(seed ^ 0x5645_5249_4659, path)
        // The top 53 bits as a uniform draw in [0, 1).
        return Double(hash >> 11) * 0x1p-53 < fraction
    }

    /// Where `result` differs from `reference` beyond `tolerance` (`nil` when it does not): the
    /// outputs and both Jacobians are compared entry by entry.
    public static func difference(_ result: CircuitEvaluation, from reference: CircuitEvaluation) -> String? {
        let parts: [(String, [Double], [Double])] = [
            ("output", result.outputs, reference.outputs),
            ("parameter derivative", result.parameterJacobian, reference.parameterJacobian),
            ("input derivative", result.inputJacobian, reference.inputJacobian),
        ]
        for (name, values, expected) in parts {
            guard values.count == expected.count else {
                return "\(values.count) \(name) entries where \(expected.count) are due"
            }
            for (index, (value, truth)) in zip(values, expected).enumerated() {
                let scale = max(1, abs(value), abs(truth))
                // `!(a <= b)` so that a NaN counts as a difference.
                if !(abs(value - truth) <= tolerance * scale) {
                    return "\(name) \(index) is \(value) where \(truth) is due"
                }
            }
        }
        return nil
    }
}

extension ClusterConfiguration {
    /// This configuration with `verification` (if any) seeded by a run's `seed`.
    public func verifying(_ verification: Verification?, seed: UInt64) -> ClusterConfiguration {
        var configuration = self
        configuration.verification = verification.map { Verification(fraction: $0.fraction, seed: seed) }
        return configuration
    }
}
