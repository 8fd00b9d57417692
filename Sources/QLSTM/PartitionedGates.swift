import QuantumSimulator
import VariationalCircuits

/// The QLSTM's gate map (paper eqs. 2-7): for each of the four gates, M sub-circuits each read
/// one part of v_t = [x_t ; h_{t-1}] and their outputs, concatenated, are the gate's
/// pre-activations. Optionally a classical projection maps v_t to the circuits' inputs and a
/// classical readout maps their outputs to d_h (the hybrid layer of seed 000); both are shared
/// by the four gates.
///
/// The parts are quantum (sub-VQCs on an executor, derivatives from their Jacobians) or, for the
/// ablation, classical affine maps of the same shapes. Both backends produce the same
/// `CircuitEvaluation`s (outputs and Jacobians), so one backward pass serves both.
///
/// Parameters, flat: each part's (gate-major: forget parts 0...M-1, input, candidate, output),
/// then the projection's, then the readout's.
public struct PartitionedGates: GatePreactivations {
    /// Where the parts run.
    public enum Backend: Sendable {
        /// Sub-VQCs on `executor`; `circuitOffset` is the index of this map's first circuit in
        /// the executor's list (a bidirectional model loads two maps' circuits).
        case quantum(executor: any CircuitExecutor, circuits: [SubVQC], circuitOffset: Int)
        /// Affine maps (the ablation), one per part, gate-major.
        case linear([Linear])
    }

    public let inputWidth: Int
    public let hiddenWidth: Int
    public var outputWidth: Int { 4 * hiddenWidth }
    public let plan: PartitionPlan
    public private(set) var backend: Backend
    /// Per part (gate-major), its trainable values.
    public private(set) var partParameters: [[Double]]
    public private(set) var projection: Linear?
    public private(set) var readout: Linear?

    /// - Throws: `QLSTMError` when the widths do not chain: v (`inputWidth`) -> projection (or
    ///   nothing) -> plan inputs; plan outputs -> readout (or nothing) -> `hiddenWidth`.
    public init(
        inputWidth: Int,
        hiddenWidth: Int,
        plan: PartitionPlan,
        backend: Backend,
        partParameters: [[Double]],
        projection: Linear?,
        readout: Linear?
    ) throws(QLSTMError) {
        let circuitInputs = projection?.outputs ?? inputWidth
        guard (projection?.inputs ?? inputWidth) == inputWidth, plan.inputWidth == circuitInputs else {
            throw .invalidParameter(
                name: "partition input width",
                value: plan.inputWidth,
                expected:
                    "\(circuitInputs), the width of \(projection == nil ? "v_t = [x_t ; h_t-1]" : "the projection's output")"
            )
        }
        guard (readout?.inputs ?? plan.outputWidth) == plan.outputWidth,
            (readout?.outputs ?? plan.outputWidth) == hiddenWidth
        else {
            throw .invalidParameter(
                name: "partition output width",
                value: plan.outputWidth,
                expected: readout == nil
                    ? "\(hiddenWidth) (d_h): the parts' outputs must add up to the hidden size"
                    : "the readout's input width"
            )
        }
        guard partParameters.count == 4 * plan.count else {
            throw .countMismatch(name: "part parameter vectors", expected: 4 * plan.count, found: partParameters.count)
        }
        self.inputWidth = inputWidth
        self.hiddenWidth = hiddenWidth
        self.plan = plan
        self.backend = backend
        self.partParameters = partParameters
        self.projection = projection
        self.readout = readout
    }

    public var parameterCount: Int {
        partParameters.reduce(0) { $0 + $1.count } + (projection?.parameterCount ?? 0) + (readout?.parameterCount ?? 0)
    }

    public var parameters: [Double] {
        partParameters.flatMap { $0 } + (projection?.parameters ?? []) + (readout?.parameters ?? [])
    }

    public mutating func setParameters(_ parameters: [Double]) {
        precondition(
            parameters.count == parameterCount,
            "expected \(parameterCount) parameters, got \(parameters.count)"
        )
        var slices = ParameterSlices(parameters)
        for k in partParameters.indices { partParameters[k] = slices.next(partParameters[k].count) }
        if let count = projection?.parameterCount { projection?.setParameters(slices.next(count)) }
        if let count = readout?.parameterCount { readout?.setParameters(slices.next(count)) }
        if case .linear(var maps) = backend {
            for k in maps.indices { maps[k].setParameters(partParameters[k]) }
            backend = .linear(maps)
        }
    }

    /// What the backward pass needs from one time step.
    public struct Cache: Sendable {
        let v: [Double]
        /// The parts' inputs: v, or its projection.
        let u: [Double]
        /// Per (row, gate, part), row-major: the part's outputs and Jacobians.
        let evaluations: [CircuitEvaluation]
        /// Per (row, gate): the parts' outputs concatenated (the readout's input).
        let joined: [Double]
    }

    public func preactivations(
        _ v: [Double],
        batch: Int,
        position: SequencePosition,
        context: EvaluationContext
    ) async throws -> (preactivations: [Double], cache: Cache) {
        let u = projection?.forward(v, batch: batch) ?? v
        let width = plan.inputWidth
        let parts = plan.parts
        let m = plan.count
        let evaluations: [CircuitEvaluation]
        switch backend {
        case .quantum(let executor, _, let circuitOffset):
            var items: [(row: Int, map: Int, part: Int, circuit: Int, inputs: [Double])] = []
            items.reserveCapacity(batch * 4 * m)
            for b in 0..<batch {
                for gate in 0..<4 {
                    for (index, part) in parts.enumerated() {
                        let start = b * width + part.inputOffset
                        let inputs = Array(u[start..<start + part.inputs])
                        items.append((b, gate, index, circuitOffset + gate * m + index, inputs))
                    }
                }
            }
            evaluations = try await context.evaluate(items, at: position, on: executor)
        case .linear(let maps):
            var results: [CircuitEvaluation] = []
            results.reserveCapacity(batch * 4 * m)
            for b in 0..<batch {
                for gate in 0..<4 {
                    for (index, part) in parts.enumerated() {
                        let start = b * width + part.inputOffset
                        results.append(Self.affine(maps[gate * m + index], Array(u[start..<start + part.inputs])))
                    }
                }
            }
            evaluations = results
        }
        let joinedWidth = plan.outputWidth
        var joined = [Double](repeating: 0, count: batch * 4 * joinedWidth)
        for row in 0..<(batch * 4) {
            for (index, part) in parts.enumerated() {
                let outputs = evaluations[row * m + index].outputs
                for j in 0..<part.outputs { joined[row * joinedWidth + part.outputOffset + j] = outputs[j] }
            }
        }
        // Rows are (b, gate): `batch x 4 d_h` row-major is exactly `4 batch x d_h`.
        let z = readout?.forward(joined, batch: batch * 4) ?? joined
        return (z, Cache(v: v, u: u, evaluations: evaluations, joined: joined))
    }

    public func backward(
        cache: Cache,
        preactivationGradient dz: [Double],
        batch: Int,
        parameterGradient: inout [Double]
    ) -> [Double] {
        let parts = plan.parts
        let m = plan.count
        let joinedWidth = plan.outputWidth
        let width = plan.inputWidth
        let partCount = partParameters.reduce(0) { $0 + $1.count }
        let projectionCount = projection?.parameterCount ?? 0
        var dJoined = dz
        if let readout {
            var readoutGradient = Array(parameterGradient[(partCount + projectionCount)...])
            dJoined = readout.backward(
                input: cache.joined,
                outputGradient: dz,
                batch: batch * 4,
                into: &readoutGradient
            )
            parameterGradient.replaceSubrange((partCount + projectionCount)..., with: readoutGradient)
        }
        var offsets: [Int] = []
        var running = 0
        for values in partParameters {
            offsets.append(running)
            running += values.count
        }
        var du = [Double](repeating: 0, count: batch * width)
        for row in 0..<(batch * 4) {
            let b = row / 4
            let gate = row % 4
            for (index, part) in parts.enumerated() {
                let evaluation = cache.evaluations[row * m + index]
                let k = gate * m + index
                let columns = partParameters[k].count
                for j in 0..<part.outputs {
                    let g = dJoined[row * joinedWidth + part.outputOffset + j]
                    if g == 0 { continue }
                    for p in 0..<columns {
                        parameterGradient[offsets[k] + p] += g * evaluation.parameterJacobian[j * columns + p]
                    }
                    for i in 0..<part.inputs {
                        du[b * width + part.inputOffset + i] += g * evaluation.inputJacobian[j * part.inputs + i]
                    }
                }
            }
        }
        guard let projection else { return du }
        var projectionGradient = Array(parameterGradient[partCount..<(partCount + projectionCount)])
        let dv = projection.backward(input: cache.v, outputGradient: du, batch: batch, into: &projectionGradient)
        parameterGradient.replaceSubrange(partCount..<(partCount + projectionCount), with: projectionGradient)
        return dv
    }

    /// An affine part as a "circuit": outputs W u + b and their exact Jacobians.
    static func affine(_ map: Linear, _ u: [Double]) -> CircuitEvaluation {
        let outputs = map.forward(u, batch: 1)
        let columns = map.parameterCount
        var parameterJacobian = [Double](repeating: 0, count: map.outputs * columns)
        for j in 0..<map.outputs {
            // Weights are row-major (output j, input i), then the bias.
            for i in 0..<map.inputs { parameterJacobian[j * columns + j * map.inputs + i] = u[i] }
            parameterJacobian[j * columns + map.outputs * map.inputs + j] = 1
        }
        return CircuitEvaluation(outputs: outputs, parameterJacobian: parameterJacobian, inputJacobian: map.weights)
    }
}
