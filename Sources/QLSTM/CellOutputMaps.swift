import QuantumSimulator
import VariationalCircuits

/// The circuits after the LSTM cell of Chen, Yoo and Fang's 2020 QLSTM (its VQC5 and VQC6).
///
/// With s_t = o_t * tanh(C_t) from the cell, VQC5 makes the next hidden state, h_t =
/// VQC5(s_t), and VQC6 the output, y_t = VQC6(s_t); the model's head reads y_T. Each is split
/// into the M parts of `plan` like a gate (distributed when M > 1), its parts' outputs
/// concatenated. The parts are sub-VQCs on the model's executor or, for the ablation, affine
/// maps of the same shapes; both give outputs and exact Jacobians, so one backward pass serves.
///
/// Parameters, flat: VQC5's parts 0...M-1, then VQC6's.
public struct CellOutputMaps: Sendable {
    /// Which of the two maps.
    public enum Stage: Int, Sendable, CaseIterable {
        /// VQC5: s_t -> h_t.
        case hidden
        /// VQC6: s_t -> y_t.
        case output
    }

    /// d_h: the width of s_t, h_t and y_t.
    public let hiddenWidth: Int
    public let plan: PartitionPlan
    /// Quantum: the circuits VQC5/0...M-1, VQC6/0...M-1 at `circuitOffset` on the executor.
    /// Linear: 2 M affine maps in the same order.
    public private(set) var backend: PartitionedGates.Backend
    /// Per part (VQC5's, then VQC6's), its trainable values.
    public private(set) var partParameters: [[Double]]

    /// - Throws: `QLSTMError` when the plan does not map d_h values to d_h values or the part
    ///   vectors are not 2 M.
    public init(
        hiddenWidth: Int,
        plan: PartitionPlan,
        backend: PartitionedGates.Backend,
        partParameters: [[Double]]
    ) throws(QLSTMError) {
        guard plan.inputWidth == hiddenWidth, plan.outputWidth == hiddenWidth else {
            throw .invalidParameter(
                name: "cell output partition width",
                value: plan.inputWidth,
                expected: "\(hiddenWidth) inputs and outputs (d_h): VQC5 and VQC6 map o_t * tanh(C_t) to d_h values"
            )
        }
        guard partParameters.count == 2 * plan.count else {
            throw .countMismatch(
                name: "cell output part vectors",
                expected: 2 * plan.count,
                found: partParameters.count
            )
        }
        self.hiddenWidth = hiddenWidth
        self.plan = plan
        self.backend = backend
        self.partParameters = partParameters
    }

    public var parameterCount: Int { partParameters.reduce(0) { $0 + $1.count } }

    public var parameters: [Double] { partParameters.flatMap { $0 } }

    /// Replaces the trainable values from a flat vector laid out as `parameters`.
    public mutating func setParameters(_ parameters: [Double]) {
        precondition(
            parameters.count == parameterCount,
            "expected \(parameterCount) parameters, got \(parameters.count)"
        )
        var slices = ParameterSlices(parameters)
        for k in partParameters.indices { partParameters[k] = slices.next(partParameters[k].count) }
        if case .linear(var maps) = backend {
            for k in maps.indices { maps[k].setParameters(partParameters[k]) }
            backend = .linear(maps)
        }
    }

    /// What `backward` needs from one forward call.
    public struct Cache: Sendable {
        let stage: Stage
        /// Per (row, part), row-major: the part's outputs and Jacobians.
        let evaluations: [CircuitEvaluation]
    }

    /// Maps s (`batch x d_h`) through VQC5 or VQC6 in one executor call.
    /// - Parameters:
    ///   - position: the step this call belongs to; with the stage, it makes every item's shot
    ///     seed distinct from the gates' of the same step.
    ///   - context: how this pass evaluates its circuits.
    public func forward(
        _ s: [Double],
        batch: Int,
        stage: Stage,
        position: SequencePosition,
        context: EvaluationContext
    ) async throws -> (values: [Double], cache: Cache) {
        let m = plan.count
        let first = stage.rawValue * m
        let evaluations: [CircuitEvaluation]
        switch backend {
        case .quantum(let executor, _, let circuitOffset):
            // Maps 0-3 are the LSTM gates' (PartitionedGates); 4 and 5 are VQC5 and VQC6.
            let items = (0..<batch).flatMap { b in
                plan.parts.enumerated().map { index, part in
                    let start = b * hiddenWidth + part.inputOffset
                    return (b, 4 + stage.rawValue, index, circuitOffset + first + index, Array(s[start..<start + part.inputs]))
                }
            }
            evaluations = try await context.evaluate(items, at: position, on: executor)
        case .linear(let maps):
            evaluations = (0..<batch).flatMap { b in
                plan.parts.enumerated().map { index, part in
                    let start = b * hiddenWidth + part.inputOffset
                    return PartitionedGates.affine(maps[first + index], Array(s[start..<start + part.inputs]))
                }
            }
        }
        var values = [Double](repeating: 0, count: batch * hiddenWidth)
        for b in 0..<batch {
            for (index, part) in plan.parts.enumerated() {
                let outputs = evaluations[b * m + index].outputs
                for j in 0..<part.outputs { values[b * hiddenWidth + part.outputOffset + j] = outputs[j] }
            }
        }
        return (values, Cache(stage: stage, evaluations: evaluations))
    }

    /// Maps dL/d(output) back to dL/ds and adds the stage's parameter gradient.
    /// - Parameter parameterGradient: laid out as `parameters`.
    public func backward(
        cache: Cache,
        gradient: [Double],
        batch: Int,
        parameterGradient: inout [Double]
    ) -> [Double] {
        let m = plan.count
        var offset = 0
        for k in 0..<(cache.stage.rawValue * m) { offset += partParameters[k].count }
        var ds = [Double](repeating: 0, count: batch * hiddenWidth)
        for b in 0..<batch {
            var partOffset = offset
            for (index, part) in plan.parts.enumerated() {
                let evaluation = cache.evaluations[b * m + index]
                let columns = partParameters[cache.stage.rawValue * m + index].count
                for j in 0..<part.outputs {
                    let g = gradient[b * hiddenWidth + part.outputOffset + j]
                    if g == 0 { continue }
                    for p in 0..<columns {
                        parameterGradient[partOffset + p] += g * evaluation.parameterJacobian[j * columns + p]
                    }
                    for i in 0..<part.inputs {
                        ds[b * hiddenWidth + part.inputOffset + i] += g * evaluation.inputJacobian[j * part.inputs + i]
                    }
                }
                partOffset += columns
            }
        }
        return ds
    }
}
