import Foundation
import QLSTM
import QuantumSimulator
import Testing

@Suite struct SineWaveTests {
    @Test func classicalLSTMLearnsASineWave() async throws {
        // Windows of 4 samples of sin(0.3 k) predict the next sample.
        let window = 4
        let count = 40
        let series = (0..<count + window).map { sin(0.3 * Double($0)) }
        let x = (0..<count).flatMap { series[$0..<$0 + window] }
        let y = (0..<count).map { series[$0 + window] }

        var random = SeededGenerator(seed: 2024)
        var model = try ClassicalLSTM(inputWidth: 1, hiddenWidth: 4, generator: &random)
        var optimizer = Optimizer.adam(Adam(learningRate: 0.05))
        let initial = try await model.lossAndGradient(.mse, sequences: x, targets: y, context: .outputs).loss
        var parameters = model.parameters
        var loss = initial
        for _ in 0..<150 {
            let (value, gradient) = try await model.lossAndGradient(.mse, sequences: x, targets: y, context: .outputs)
            loss = value
            optimizer.step(parameters: &parameters, gradient: gradient)
            model.setParameters(parameters)
        }
        #expect(loss < initial / 10)
        let predictions = try await model.forward(x, batch: count, context: .outputs).predictions
        #expect(RegressionMetrics(predictions: predictions, targets: y).r2 > 0.9)
    }
}
