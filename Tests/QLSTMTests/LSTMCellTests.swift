import QLSTM
import QuantumSimulator
import Testing

@Suite struct LSTMCellTests {
    @Test func activationsAreStableAndTheirDerivativesMatch() {
        #expect(Activation.sigmoid(0) == 0.5)
        #expect(Activation.sigmoid(-800) == 0 && Activation.sigmoid(800) == 1)
        #expect(Activation.sigmoid(-800).isFinite)
        for x in [-3.0, -0.4, 0.0, 1.2, 5.0] {
            let h = 1e-6
            let sigmoidSlope = (Activation.sigmoid(x + h) - Activation.sigmoid(x - h)) / (2 * h)
            let tanhSlope = (Activation.tanh(x + h) - Activation.tanh(x - h)) / (2 * h)
            #expect(abs(Activation.sigmoidDerivative(output: Activation.sigmoid(x)) - sigmoidSlope) < 1e-9)
            #expect(abs(Activation.tanhDerivative(output: Activation.tanh(x)) - tanhSlope) < 1e-9)
        }
    }

    @Test func forwardFollowsTheGateOrderFICO() {
        // One unit: z = [z_f, z_i, z_C~, z_o].
        let cell = LSTMCell(hiddenWidth: 1)
        let step = cell.forward(preactivations: [0.3, -0.7, 0.2, 1.1], previousCell: [0.5], batch: 1)
        let f = Activation.sigmoid(0.3)
        let i = Activation.sigmoid(-0.7)
        let g = Activation.tanh(0.2)
        let o = Activation.sigmoid(1.1)
        let c = f * 0.5 + i * g
        #expect(step.state.cell == [c])
        #expect(step.state.hidden == [o * Activation.tanh(c)])
    }

    @Test func backwardMatchesFiniteDifferences() {
        var random = SeededGenerator(seed: 11)
        let batch = 2
        let width = 3
        let cell = LSTMCell(hiddenWidth: width)
        let z = random.uniforms(batch * 4 * width, -2, 2)
        let previous = random.uniforms(batch * width)
        let dh = random.uniforms(batch * width)
        let dc = random.uniforms(batch * width)
        // L = dh . h_t + dc . C_t, so dL/dh_t = dh and the direct dL/dC_t = dc.
        func loss(_ z: [Double], _ previous: [Double]) -> Double {
            let state = cell.forward(preactivations: z, previousCell: previous, batch: batch).state
            return innerProduct(dh, state.hidden) + innerProduct(dc, state.cell)
        }
        let step = cell.forward(preactivations: z, previousCell: previous, batch: batch)
        let gradient = cell.backward(step, hiddenGradient: dh, cellGradient: dc)
        #expect(largestDifference(gradient.preactivations, centralDifferences(at: z) { loss($0, previous) }) < 1e-9)
        #expect(largestDifference(gradient.previousCell, centralDifferences(at: previous) { loss(z, $0) }) < 1e-9)
    }
}
