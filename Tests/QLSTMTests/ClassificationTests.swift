import Foundation
import QLSTM
import QuantumSimulator
import Testing
import VariationalCircuits

@Suite("Classification: cross-entropy, its gradients and the metrics")
struct ClassificationTests {
    @Test("cross-entropy of logits against hand-computed values")
    func crossEntropyValues() {
        // Logits (0, ln 3): softmax (1/4, 3/4), so -log p is ln 4 for class 0 and ln 4/3 for class 1.
        let logits = [0, log(3.0), 0, log(3.0)]
        let loss = Loss.crossEntropy.value(predictions: logits, targets: [0, 1])
        #expect(abs(loss - (log(4.0) + log(4.0 / 3)) / 2) < 1e-15)
        let gradient = Loss.crossEntropy.gradient(predictions: logits, targets: [0, 1])
        let expected = [(0.25 - 1) / 2, 0.75 / 2, 0.25 / 2, (0.75 - 1) / 2]
        #expect(largestDifference(gradient, expected) < 1e-15)
        // Logits a thousand apart neither overflow nor lose the loss of the unlikely class.
        #expect(Loss.crossEntropy.value(predictions: [1000, 0], targets: [1]) == 1000)
        #expect(Softmax.probabilities([1000, 0]) == [1, exp(-1000.0)])
    }

    @Test("the cross-entropy gradient matches central finite differences")
    func crossEntropyGradient() {
        var random = SeededGenerator(seed: 43)
        let logits = random.uniforms(4 * 3, -3, 3)
        let labels: [Double] = [2, 0, 1, 2]
        let numeric = centralDifferences(at: logits) { Loss.crossEntropy.value(predictions: $0, targets: labels) }
        let gradient = Loss.crossEntropy.gradient(predictions: logits, targets: labels)
        #expect(largestDifference(gradient, numeric) < 1e-9)
        // Each window's gradient sums to zero: softmax rows sum to 1, one-hot rows too.
        for b in 0..<4 { #expect(abs(gradient[b * 3..<(b + 1) * 3].reduce(0, +)) < 1e-15) }
    }

    @Test("a classical LSTM with K logits: BPTT gradients of the cross-entropy match finite differences")
    func classicalGradient() async throws {
        var random = SeededGenerator(seed: 21)
        let model = try ClassicalLSTM(
            inputWidth: 2,
            hiddenWidth: 3,
            bidirectional: true,
            outputs: 3,
            initialization: .uniform(bound: 0.7),
            generator: &random
        )
        let x = random.uniforms(3 * 4 * 2)
        let labels: [Double] = [0, 2, 1]
        let (loss, gradient) = try await model.lossAndGradient(.crossEntropy, sequences: x, targets: labels, context: .outputs)
        let numeric = try await centralDifferences(at: model.parameters) { p in
            var probe = model
            probe.setParameters(p)
            let pass = try await probe.forward(x, batch: 3, context: .outputs)
            return Loss.crossEntropy.value(predictions: pass.predictions, targets: labels)
        }
        #expect(model.head.outputs == 3)
        #expect(loss > 0)
        #expect(largestDifference(gradient, numeric) < 1e-8)
        #expect(gradient.contains { abs($0) > 1e-3 })
    }

    @Test(
        "quantum and ablation models with K logits: exact cross-entropy gradients",
        arguments: [
            ModelConfiguration(inputWidth: 1, hiddenSize: 2, ansatz: Ansatz(depth: 1), outputs: 2),
            ModelConfiguration(
                inputWidth: 1,
                hiddenSize: 3,
                qubits: 2,
                partitions: 2,
                ansatz: Ansatz(depth: 1),
                outputs: 3
            ),
            ModelConfiguration(kind: .ablation, inputWidth: 1, hiddenSize: 3, partitions: 2, outputs: 3),
            // Chen et al. 2020's six VQCs: the head reads the output circuit's y_T.
            ModelConfiguration(
                inputWidth: 1,
                hiddenSize: 2,
                ansatz: Ansatz(depth: 1),
                architecture: .chen2020,
                outputs: 2
            ),
        ]
    )
    func quantumGradient(_ configuration: ModelConfiguration) async throws {
        var session = try await QuantumSession(configuration, method: .parameterShift)
        var generator = SeededGenerator(seed: 12)
        let sequences = generator.uniforms(2 * 3)
        let labels = (0..<2).map { Double($0 % configuration.outputs) }
        let parameters = session.model.parameters
        let (_, gradient) = try await session.model.lossAndGradient(
            .crossEntropy,
            sequences: sequences,
            targets: labels,
            context: session.context
        )
        var numeric: [Double] = []
        for p in parameters.indices {
            var up = parameters
            var down = parameters
            up[p] += 1e-5
            down[p] -= 1e-5
            let plus = try await session.loss(up, sequences: sequences, targets: labels, loss: .crossEntropy)
            let minus = try await session.loss(down, sequences: sequences, targets: labels, loss: .crossEntropy)
            numeric.append((plus - minus) / 2e-5)
        }
        #expect(largestDifference(gradient, numeric) < 1e-8)
        // The head's rows of every class get a gradient, not the first alone.
        #expect(gradient.suffix(configuration.outputs).allSatisfy { abs($0) > 1e-6 })
    }

    @Test("a model file without outputs has one; K outputs survive a round trip")
    func configurationCoding() throws {
        let regression = try JSONEncoder().encode(ModelConfiguration())
        #expect(!String(decoding: regression, as: UTF8.self).contains("outputs"))
        #expect(try JSONDecoder().decode(ModelConfiguration.self, from: regression).outputs == 1)
        let classifier = ModelConfiguration(qubits: 3, partitions: 2, outputs: 4)
        #expect(try JSONDecoder().decode(ModelConfiguration.self, from: JSONEncoder().encode(classifier)) == classifier)
    }

    /// truth 0 0 0 1 1 2, predicted 0 0 1 1 1 1 (class 2 never predicted), as logits.
    static let missedClass = (truth: [0, 0, 0, 1, 1, 2], predicted: [0, 0, 1, 1, 1, 1])

    static func logits(predicting classes: [Int], of count: Int) -> [Double] {
        classes.flatMap { predicted in (0..<count).map { $0 == predicted ? 2.0 : 0.0 } }
    }

    @Test("metrics with a class absent from the predictions, against hand-computed values")
    func metricsWithAMissedClass() {
        let (truth, predicted) = Self.missedClass
        let metrics = ClassificationMetrics(
            logits: Self.logits(predicting: predicted, of: 3),
            labels: truth,
            classes: 3
        )
        #expect(metrics.confusion.counts == [[2, 1, 0], [0, 2, 0], [0, 1, 0]])
        #expect(abs(metrics.accuracy - 4.0 / 6) < 1e-15)
        // Recalls 2/3, 2/2, 0/1.
        #expect(abs(metrics.balancedAccuracy - 5.0 / 9) < 1e-15)
        // F1 = 2 TP / (support + predicted): 4/5, 4/6, 0/1.
        #expect(abs(metrics.macroF1 - 22.0 / 45) < 1e-15)
        // Logits (2, 0, 0): p = e^2 / (e^2 + 2) for the predicted class, 1 / (e^2 + 2) otherwise.
        let (hit, miss) = (-log(exp(2.0) / (exp(2.0) + 2)), -log(1 / (exp(2.0) + 2)))
        #expect(abs(metrics.crossEntropy - (4 * hit + 2 * miss) / 6) < 1e-14)
    }

    @Test("a class absent from the truth is left out of balanced accuracy, not out of macro F1")
    func metricsWithAnUnseenClass() {
        let metrics = ClassificationMetrics(
            logits: Self.logits(predicting: [0, 2, 1, 1], of: 3),
            labels: [0, 0, 1, 1],
            classes: 3
        )
        #expect(metrics.accuracy == 0.75)
        #expect(metrics.balancedAccuracy == 0.75)  // (1/2 + 2/2) / 2
        #expect(abs(metrics.macroF1 - 5.0 / 9) < 1e-15)  // (2/3 + 1 + 0) / 3
        // A class in neither is in no average.
        let perfect = ClassificationMetrics(
            logits: Self.logits(predicting: [0, 1], of: 3),
            labels: [0, 1],
            classes: 3
        )
        #expect(perfect.balancedAccuracy == 1 && perfect.macroF1 == 1 && perfect.accuracy == 1)
    }

    @Test("a constant prediction scores 1/K balanced accuracy whatever the class frequencies")
    func constantPrediction() {
        let labels = [1, 1, 1, 1, 1, 1, 1, 1, 1, 0]
        let metrics = ClassificationMetrics(
            logits: Self.logits(predicting: labels.map { _ in 1 }, of: 2),
            labels: labels,
            classes: 2
        )
        #expect(metrics.accuracy == 0.9)
        #expect(metrics.balancedAccuracy == 0.5)
    }

    @Test("ties between logits go to the lowest class; a confusion matrix decodes only when square")
    func tiesAndDecoding() throws {
        #expect(Softmax.predictedClass([1, 3, 3]) == 1)
        let matrix = ConfusionMatrix(truth: [0, 1, 1], predicted: [1, 1, 0], classes: 2)
        let json = try JSONEncoder().encode(matrix)
        #expect(String(decoding: json, as: UTF8.self) == "[[0,1],[1,1]]")
        #expect(try JSONDecoder().decode(ConfusionMatrix.self, from: json) == matrix)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ConfusionMatrix.self, from: Data("[[1,2]]".utf8))
        }
    }
}
