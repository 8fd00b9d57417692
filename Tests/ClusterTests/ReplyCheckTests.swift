import ClusterProtocol
import Testing
import VariationalCircuits

@testable import Cluster

@Suite("reply checks")
struct ReplyCheckTests {
    static let circuit = try! SubVQC(id: "forget/0", qubitCount: 3, inputCount: 3)
    static let items = [EvaluationRequest(circuit: 0, inputs: [0.1, 0.2, 0.3])]
    /// An honest reply for one item with parameter-shift Jacobians.
    static func honest() -> ([CircuitEvaluation], [SlotUsage]) {
        let executor = LocalExecutor(threads: 1)
        executor.loadNow([circuit])
        try! executor.setParametersNow([Array(repeating: 0.3, count: circuit.parameterCount)], version: 0)
        let (results, usage) = try! executor.evaluateNow(EvaluationBatch(items: items, method: .parameterShift))
        let slots = usage.map {
            SlotUsage(
                slot: UInt16($0.thread),
                circuits: $0.counters.circuits,
                shots: $0.counters.shots,
                busySeconds: 0.001
            )
        }
        return (results, slots)
    }

    static func check(_ evaluations: [CircuitEvaluation], _ usage: [SlotUsage]) -> String? {
        ReplyCheck.problem(
            evaluations,
            usage: usage,
            items: items,
            shapes: [ReplyCheck.Shape(circuit)],
            method: .parameterShift,
            shots: nil,
            slots: 1
        )
    }

    @Test("an honest reply passes; every impossible one is named")
    func impossibleReplies() {
        let (evaluations, usage) = Self.honest()
        #expect(Self.check(evaluations, usage) == nil)
        var nan = evaluations
        nan[0].outputs[0] = .nan
        #expect(Self.check(nan, usage)?.contains("output") == true)
        var large = evaluations
        large[0].outputs[1] = -1.5
        #expect(Self.check(large, usage)?.contains("[-1, 1]") == true)
        var derivative = evaluations
        derivative[0].parameterJacobian[0] = 2
        #expect(Self.check(derivative, usage)?.contains("parameter derivative") == true)
        var shape = evaluations
        shape[0].inputJacobian.removeLast()
        #expect(Self.check(shape, usage)?.contains("Jacobians") == true)
        #expect(Self.check([], usage)?.contains("0 results for 1 items") == true)
        let overflow = [usage[0], SlotUsage(slot: 0, circuits: .max, shots: 0, busySeconds: 0)]
        #expect(Self.check(evaluations, overflow)?.contains("overflow") == true)
        let inflated = [SlotUsage(slot: 0, circuits: usage[0].circuits + 1, shots: 0, busySeconds: 0)]
        #expect(Self.check(evaluations, inflated)?.contains("circuit runs") == true)
        let slot = [SlotUsage(slot: 7, circuits: usage[0].circuits, shots: 0, busySeconds: 0)]
        #expect(Self.check(evaluations, slot)?.contains("slot 7") == true)
        let time = [SlotUsage(slot: 0, circuits: usage[0].circuits, shots: 0, busySeconds: .infinity)]
        #expect(Self.check(evaluations, time)?.contains("busy time") == true)
    }

    @Test("a reply is taken only from the worker its request went to")
    func boundToConnection() {
        let registry = ReplyRegistry()
        let round = ReplyRound(requests: 1)
        registry.insert(.init(worker: 1, round: round, index: 0, deadline: .now, timeout: .seconds(1)), for: 42)
        #expect(registry.take(42, from: 0) == nil)
        #expect(registry.take(42, from: 1) != nil)
        #expect(registry.take(42, from: 1) == nil)
    }
}
