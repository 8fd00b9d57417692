import Cluster
import Testing
import VariationalCircuits

@Suite("Verification: which items, and when two results disagree")
struct VerificationTests {
    let items = (0..<20_000).map { index in
        EvaluationRequest(circuit: index % 8, inputs: [Double(index) * 0.001, 0.5], seed: UInt64(index) &* 0x9E37)
    }

    @Test("a seeded share of items: the same choice for the same seed, near F, another for another seed")
    func selection() {
        let verification = Verification(fraction: 0.2, seed: 7)
        let chosen = items.map(verification.selects)
        #expect(chosen == items.map(Verification(fraction: 0.2, seed: 7).selects))
        // Binomial(20000, 0.2): standard deviation 57, so 400 is seven of them.
        #expect(abs(chosen.filter { $0 }.count - 4_000) < 400)
        #expect(chosen != items.map(Verification(fraction: 0.2, seed: 8).selects))
        #expect(items.allSatisfy(Verification(fraction: 1, seed: 7).selects))
    }

    @Test("rounding passes; a lie of 1e-6, a NaN or a missing entry does not")
    func difference() {
        let truth = CircuitEvaluation(outputs: [0.25, -0.5], parameterJacobian: [0.1, 0.2], inputJacobian: [40, 3])
        var rounded = truth
        rounded.outputs[0] += 1e-14
        rounded.inputJacobian[0] *= 1 + 1e-12
        #expect(Verification.difference(rounded, from: truth) == nil)
        var lie = truth
        lie.outputs[1] += 1e-6
        #expect(Verification.difference(lie, from: truth) == "output 1 is -0.499999 where -0.5 is due")
        var derivative = truth
        derivative.parameterJacobian[1] = .nan
        #expect(Verification.difference(derivative, from: truth)?.hasPrefix("parameter derivative 1") == true)
        var short = truth
        short.inputJacobian.removeLast()
        #expect(Verification.difference(short, from: truth) == "1 input derivative entries where 2 are due")
    }
}
