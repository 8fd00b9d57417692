import QLSTM
import QuantumSimulator
import Testing

@Suite struct LossAndMetricsTests {
    @Test func lossValuesAndGradients() {
        let p: [Double] = [1, 2, 3, 4]
        let y: [Double] = [1, 2.5, 2, 6]
        #expect(Loss.mse.value(predictions: p, targets: y) == 5.25 / 4)
        #expect(Loss.mae.value(predictions: p, targets: y) == 3.5 / 4)
        #expect(Loss.mse.gradient(predictions: p, targets: y) == [0, -0.25, 0.5, -1])
        #expect(Loss.mae.gradient(predictions: p, targets: y) == [0, -0.25, 0.25, -0.25])
    }

    @Test func lossGradientsMatchFiniteDifferences() {
        var random = SeededGenerator(seed: 41)
        let p = random.uniforms(5)
        let y = random.uniforms(5)
        for loss in [Loss.mse, .mae] {
            let numeric = centralDifferences(at: p) { loss.value(predictions: $0, targets: y) }
            #expect(largestDifference(loss.gradient(predictions: p, targets: y), numeric) < 1e-8)
        }
    }

    @Test func metricsOnKnownValues() {
        let metrics = RegressionMetrics(predictions: [1, 2, 3, 4], targets: [1, 2, 3, 5])
        #expect(metrics.mse == 0.25)
        #expect(metrics.mae == 0.25)
        #expect(abs(metrics.r2 - (1 - 1 / 8.75)) < 1e-15)
        #expect(RegressionMetrics(predictions: [2, 4], targets: [2, 4]).r2 == 1)
        #expect(RegressionMetrics(predictions: [3, 3], targets: [2, 4]).r2 == 0)
    }

    @Test func constantTargetsGiveAFiniteR2() {
        #expect(RegressionMetrics(predictions: [1, 1], targets: [1, 1]).r2 == 1)
        #expect(RegressionMetrics(predictions: [1, 2], targets: [1, 1]).r2 == 0)
    }
}
