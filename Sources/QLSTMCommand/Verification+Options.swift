import Cluster
import QPUProfiles

/// `--verify-fraction F` on `train` and `compare`.
extension Verification {
    static let optionSpec = OptionSpec.value(
        "verify-fraction",
        "F",
        "on a cluster, evaluate this share (0...1) of the items again on a second QPU or in process and quarantine a worker whose results differ (default 0: off; exact expectations only)"
    )

    /// The verification the options ask for, `nil` when off; refused where it cannot work:
    /// in process (there is no worker to check), and with sampled or noisy results (two honest
    /// results differ, so a difference proves nothing).
    /// - Parameters:
    ///   - seed: the run's seed, from which the choice of items derives.
    ///   - shots: the run's shots (`nil`: exact expectations).
    static func fromOptions(
        _ options: ParsedOptions,
        seed: UInt64,
        shots: Int?,
        profile: QPUProfile?,
        onCluster: Bool
    ) throws(CommandLineError) -> Verification? {
        guard let fraction = try options.double("verify-fraction", in: 0...1), fraction > 0 else { return nil }
        guard onCluster else {
            throw .conflict(
                "--verify-fraction checks cluster workers against each other and this process: give it with --cluster FILE or --local-workers N"
            )
        }
        if let shots {
            throw .conflict(
                "--verify-fraction compares exact expectations, and this run samples \(shots) shots (sampled results of honest QPUs differ): give --shots exact or drop --verify-fraction"
            )
        }
        if let profile, !canVerify(profile: profile.name) {
            throw .conflict(
                "--verify-fraction compares exact results of ideal QPUs, and profile \(profile.name) is noisy: drop --profile or --verify-fraction"
            )
        }
        return Verification(fraction: fraction, seed: seed)
    }
}
