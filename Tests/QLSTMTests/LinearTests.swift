import Foundation
import QLSTM
import QuantumSimulator
import Testing

@Suite struct LinearTests {
    @Test func forwardMatchesHandComputedValues() {
        let linear = Linear(inputs: 2, outputs: 3, weights: [1, 2, 3, 4, 5, 6], bias: [0.5, -1, 0])
        let y = linear.forward([1, -1, 0, 2], batch: 2)
        #expect(y == [-0.5, -2, -1, 4.5, 7, 12])
    }

    @Test func backwardMatchesFiniteDifferences() {
        var random = SeededGenerator(seed: 1)
        let batch = 3
        let linear = Linear(inputs: 4, outputs: 5, initialization: .uniformFanIn, generator: &random)
        let x = random.uniforms(batch * 4)
        let dy = random.uniforms(batch * 5)  // L = dy . y, so dL/dy = dy.
        var gradient = LinearGradient(zeroFor: linear)
        let dx = linear.backward(input: x, outputGradient: dy, batch: batch, into: &gradient)

        let numericDx = centralDifferences(at: x) { innerProduct(dy, linear.forward($0, batch: batch)) }
        let numericDp = centralDifferences(at: linear.parameters) { p in
            var probe = linear
            probe.setParameters(p)
            return innerProduct(dy, probe.forward(x, batch: batch))
        }
        #expect(largestDifference(dx, numericDx) < 1e-9)
        #expect(largestDifference(gradient.flattened, numericDp) < 1e-9)
    }

    @Test func backwardAccumulatesAndAgreesWithTheFlatForm() {
        var random = SeededGenerator(seed: 2)
        let linear = Linear(inputs: 3, outputs: 2, initialization: .normal(scale: 1), generator: &random)
        let x = random.uniforms(6)
        let dy = random.uniforms(4)
        var structured = LinearGradient(zeroFor: linear)
        var flat = [Double](repeating: 0, count: linear.parameterCount)
        _ = linear.backward(input: x, outputGradient: dy, batch: 2, into: &structured)
        let once = structured.flattened
        _ = linear.backward(input: x, outputGradient: dy, batch: 2, into: &structured)
        _ = linear.backward(input: x, outputGradient: dy, batch: 2, into: &flat)
        #expect(flat == once)
        #expect(structured.flattened == once.map { 2 * $0 })
    }

    @Test func initializationIsSeededAndBounded() {
        var a = SeededGenerator(seed: 7)
        var b = SeededGenerator(seed: 7)
        let first = Linear(inputs: 16, outputs: 8, initialization: .uniformFanIn, generator: &a)
        let second = Linear(inputs: 16, outputs: 8, initialization: .uniformFanIn, generator: &b)
        #expect(first == second)
        #expect(first.parameters.allSatisfy { abs($0) <= 0.25 })  // 1 / sqrt(16)
        var c = SeededGenerator(seed: 8)
        let bounded = Linear(inputs: 3, outputs: 3, initialization: .uniform(bound: 0.1), generator: &c)
        #expect(bounded.parameters.allSatisfy { abs($0) <= 0.1 })
    }

    @Test func normalInitializationHasTheRequestedScale() {
        var random = SeededGenerator(seed: 9)
        let linear = Linear(inputs: 100, outputs: 100, initialization: .normal(scale: 0.01), generator: &random)
        let values = linear.parameters.map { $0 / 0.01 }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        #expect(abs(mean) < 0.05)
        #expect(abs(variance - 1) < 0.05)
    }

    @Test func parametersRoundTripThroughSettersAndCodable() throws {
        var random = SeededGenerator(seed: 3)
        var linear = Linear(inputs: 2, outputs: 2, initialization: .uniformFanIn, generator: &random)
        let p = random.uniforms(linear.parameterCount)
        linear.setParameters(p)
        #expect(linear.parameters == p)
        #expect(linear.weights == Array(p[0..<4]) && linear.bias == Array(p[4...]))
        let decoded = try JSONDecoder().decode(Linear.self, from: JSONEncoder().encode(linear))
        #expect(decoded == linear)
        let bad = Data(#"{"inputs": 2, "outputs": 2, "weights": [1, 2, 3], "bias": [0, 0]}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Linear.self, from: bad) }
    }
}
