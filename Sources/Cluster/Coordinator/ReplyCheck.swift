import ClusterProtocol
import VariationalCircuits

/// What the coordinator checks in every `result` before using a number of it: a worker is a
/// peer on the network, and a reply that is short, mis-shaped, out of range or not finite
/// must never reach the model (or crash the coordinator), however it came to be.
///
/// A reply that passes can still be wrong in a plausible way (a worker that returns zeros);
/// only `--verify-fraction` can catch that (docs/SECURITY.md).
enum ReplyCheck {
    /// Rounding allowed beyond the exact bounds |<Z>| <= 1 and |d<Z>/dtheta| <= 1.
    static let slack = 1e-9
    /// No honest request keeps a QPU slot busy this long.
    static let maximumBusySeconds = 1e7

    /// What a reply about one circuit must look like, worked out once when the circuits are
    /// loaded: a SubVQC builds its gate list to count them, far too slow for every item of
    /// every reply.
    struct Shape: Sendable {
        let id: String
        let outputs: Int
        let parameters: Int
        let inputs: Int
        let differentiableGates: Int

        init(_ circuit: SubVQC) {
            id = circuit.id
            outputs = circuit.outputCount
            parameters = circuit.parameterCount
            inputs = circuit.inputCount
            differentiableGates = circuit.differentiableGateCount
        }
    }

    /// Why the reply to `items` (global circuit indices) cannot be used, or `nil` when it can.
    static func problem(
        _ evaluations: [CircuitEvaluation],
        usage: [SlotUsage],
        items: [EvaluationRequest],
        shapes: [Shape],
        method: DifferentiationMethod?,
        shots: Int?,
        slots: Int
    ) -> String? {
        guard evaluations.count == items.count else {
            return "\(evaluations.count) results for \(items.count) items"
        }
        var runs: UInt64 = 0
        for (index, (item, evaluation)) in zip(items, evaluations).enumerated() {
            let circuit = shapes[item.circuit]
            let outputs = circuit.outputs
            guard evaluation.outputs.count == outputs else {
                return "item \(index): \(evaluation.outputs.count) outputs where circuit \(circuit.id) has \(outputs)"
            }
            let parameterEntries = method == nil ? 0 : outputs * circuit.parameters
            let inputEntries = method == nil ? 0 : outputs * circuit.inputs
            guard evaluation.parameterJacobian.count == parameterEntries,
                evaluation.inputJacobian.count == inputEntries
            else {
                return
                    "item \(index): Jacobians of \(evaluation.parameterJacobian.count) and \(evaluation.inputJacobian.count) entries where \(parameterEntries) and \(inputEntries) are due"
            }
            guard evaluation.outputs.allSatisfy({ $0.isFinite && abs($0) <= 1 + slack }) else {
                return "item \(index): an output outside [-1, 1] or not finite (an expectation <Z> cannot be)"
            }
            // Each angle enters one rotation exp(-i theta P / 2), so |d<Z>/dtheta| <= 1.
            guard evaluation.parameterJacobian.allSatisfy({ $0.isFinite && abs($0) <= 1 + slack }) else {
                return "item \(index): a parameter derivative outside [-1, 1] or not finite"
            }
            guard evaluation.inputJacobian.allSatisfy(\.isFinite) else {
                return "item \(index): an input derivative that is not finite"
            }
            runs += UInt64(SubVQC.circuitRuns(differentiableGates: circuit.differentiableGates, method: method))
        }
        var circuitsCounted: UInt64 = 0
        var shotsCounted: UInt64 = 0
        for entry in usage {
            guard Int(entry.slot) < max(slots, 1) else { return "usage for slot \(entry.slot) of \(slots)" }
            guard entry.busySeconds.isFinite, (0...maximumBusySeconds).contains(entry.busySeconds) else {
                return "a busy time of \(entry.busySeconds) s"
            }
            // Checked sums: counters are the peer's numbers, and must not overflow ours.
            let (c, o1) = circuitsCounted.addingReportingOverflow(entry.circuits)
            let (s, o2) = shotsCounted.addingReportingOverflow(entry.shots)
            guard !o1 && !o2 else { return "usage counters that overflow" }
            circuitsCounted = c
            shotsCounted = s
        }
        guard circuitsCounted == runs else {
            return "usage of \(circuitsCounted) circuit runs where the items take \(runs)"
        }
        // A worker samples with its profile's shots when a request asks for none.
        let shotsBound = runs.multipliedReportingOverflow(by: UInt64(shots ?? 10_000_000))
        guard shotsBound.overflow || shotsCounted <= shotsBound.partialValue else {
            return "usage of \(shotsCounted) shots, more than \(runs) runs can take"
        }
        return nil
    }
}
