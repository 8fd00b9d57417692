import Foundation
import QLSTM
import QPUProfiles
import QuantumSimulator
import VariationalCircuits

/// The barren-plateau measure behind partitioning: how much the loss gradient varies over
/// random initialisations. Small circuits are claimed to keep it large (trainable) where one
/// wide circuit lets it vanish, and noise to shrink it further.
///
/// Each sample draws every circuit angle uniformly from [0, 2 pi) (the usual setting of the
/// barren-plateau literature, not the paper's near-zero start; classical weights keep the
/// model's own initialisation), computes the exact gradient of the MSE (the cross-entropy for
/// a classifier) on a few training windows (density matrix under noise, no shots), and the result is the variance over samples
/// of each circuit angle's derivative, averaged over the angles.
struct GradientVariance {
    let samples: Int

    /// - Returns: the mean over circuit angles of Var[dL/dtheta] over `samples` draws.
    func measure(
        _ configuration: ModelConfiguration,
        profile: QPUProfile?,
        on data: SequenceData
    ) async throws -> Double {
        let executor = LocalExecutor(
            threads: ProcessInfo.processInfo.activeProcessorCount,
            noise: profile?.noiseModel ?? .ideal
        )
        var gradients: [[Double]] = []
        for sample in 0..<samples {
            var model = try TrainableModel.make(configuration, seed: UInt64(sample), executor: executor)
            let angles = model.circuits.reduce(0) { $0 + $1.parameters.count }
            var generator = SeededGenerator(seed: SeededGenerator.derivedSeed(UInt64(sample), [0x6AD1]))
            var parameters = model.parameters
            for k in 0..<angles { parameters[k] = generator.nextUnit() * 2 * Double.pi }
            model.setParameters(parameters)
            try await executor.load(model.circuits.map(\.circuit))
            try await executor.setParameters(model.circuits.map(\.parameters), version: 0)
            let (_, gradient) = try await model.lossAndGradient(
                configuration.outputs == 1 ? .mse : .crossEntropy,
                sequences: data.inputs.flatMap { $0 },
                targets: data.targets,
                context: EvaluationContext(method: .parameterShift)
            )
            gradients.append(Array(gradient.prefix(angles)))
        }
        let count = Double(gradients.count)
        let angles = gradients.first?.count ?? 0
        var total = 0.0
        for k in 0..<angles {
            let mean = gradients.reduce(0) { $0 + $1[k] } / count
            total += gradients.reduce(0) { $0 + ($1[k] - mean) * ($1[k] - mean) } / (count - 1)
        }
        return total / Double(max(angles, 1))
    }
}
