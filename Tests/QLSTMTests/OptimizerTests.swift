import Foundation
import QLSTM
import QuantumSimulator
import Testing

@Suite struct OptimizerTests {
    static let start: [Double] = [1, -0.5]
    static let gradients: [[Double]] = [[0.5, -0.2], [-0.25, 0.4]]

    /// Two steps from `start` with `gradients`; expected values computed by hand in 40-digit
    /// decimal arithmetic from PyTorch's update rules.
    static func twoSteps(_ optimizer: Optimizer) -> [[Double]] {
        var optimizer = optimizer
        var p = start
        return gradients.map { g in
            optimizer.step(parameters: &p, gradient: g)
            return p
        }
    }

    @Test func sgdWithMomentumMatchesPyTorch() {
        let steps = Self.twoSteps(.sgd(SGD(learningRate: 0.1, momentum: 0.9)))
        #expect(largestDifference(steps[0], [0.95, -0.48]) < 1e-15)
        #expect(largestDifference(steps[1], [0.93, -0.502]) < 1e-15)
        let plain = Self.twoSteps(.sgd(SGD(learningRate: 0.1)))
        #expect(largestDifference(plain[1], [1 - 0.05 + 0.025, -0.5 + 0.02 - 0.04]) < 1e-15)
    }

    @Test func rmsPropMatchesPyTorch() {
        let steps = Self.twoSteps(.rmsProp(RMSProp(learningRate: 0.01)))
        #expect(
            largestDifference(steps[0], [0.900000019999996000000799999840, -0.400000049999975000012499993750]) < 1e-14
        )
        #expect(
            largestDifference(steps[1], [0.944901337442175044576519677381, -0.489532326167068370009628411009]) < 1e-14
        )
    }

    @Test func adamMatchesPyTorch() {
        let steps = Self.twoSteps(.adam(Adam(learningRate: 0.1)))
        #expect(
            largestDifference(steps[0], [0.900000001999999960000000800000, -0.400000004999999750000012500000]) < 1e-14
        )
        #expect(
            largestDifference(steps[1], [0.873366298707846162559376402865, -0.436610356546037044194134381903]) < 1e-14
        )
    }

    @Test func kindNamesAndLearningRate() {
        var optimizer = Optimizer.adam(Adam(learningRate: 0.1))
        #expect(optimizer.kind == "adam")
        #expect(Optimizer.sgd(SGD(learningRate: 1)).kind == "sgd")
        #expect(Optimizer.rmsProp(RMSProp(learningRate: 1)).kind == "rmsprop")
        optimizer.learningRate = 0.01
        #expect(optimizer.learningRate == 0.01)
    }

    @Test(arguments: [
        Optimizer.sgd(SGD(learningRate: 0.05, momentum: 0.9)),
        .rmsProp(RMSProp(learningRate: 0.01)),
        .adam(Adam(learningRate: 0.02)),
    ])
    func checkpointRoundTripContinuesBitForBit(_ initial: Optimizer) throws {
        var random = SeededGenerator(seed: 31)
        var optimizer = initial
        var p = random.uniforms(7)
        for _ in 0..<3 { optimizer.step(parameters: &p, gradient: random.uniforms(7)) }

        let data = try JSONEncoder().encode(optimizer)
        var restored = try JSONDecoder().decode(Optimizer.self, from: data)
        #expect(restored == optimizer)
        var q = p
        for _ in 0..<3 {
            let g = random.uniforms(7)
            optimizer.step(parameters: &p, gradient: g)
            restored.step(parameters: &q, gradient: g)
        }
        #expect(p.map(\.bitPattern) == q.map(\.bitPattern))
        #expect(restored == optimizer)
    }

    @Test func unknownKindIsRefused() {
        let data = Data(#"{"kind": "adagrad", "state": {}}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Optimizer.self, from: data) }
    }
}
