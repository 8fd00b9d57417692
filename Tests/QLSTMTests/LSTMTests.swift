import Foundation
import QLSTM
import QuantumSimulator
import Testing

@Suite struct LSTMTests {
    /// The gradient check's tiny model: d_x = 2, d_h = 3, T = 4, B = 3.
    static let (inputWidth, hiddenWidth, timeSteps, batch) = (2, 3, 4, 3)

    static func model(bidirectional: Bool, inversward: Bool, seed: UInt64 = 21) throws -> ClassicalLSTM {
        var random = SeededGenerator(seed: seed)
        return try ClassicalLSTM(
            inputWidth: inputWidth,
            hiddenWidth: hiddenWidth,
            bidirectional: bidirectional,
            inversward: inversward,
            initialization: .uniform(bound: 0.7),
            generator: &random
        )
    }

    /// Time-reverses each sequence of a `batch x T x d_x` batch.
    static func reversedInTime(_ x: [Double], batch: Int, timeSteps: Int, width: Int) -> [Double] {
        var result: [Double] = []
        for b in 0..<batch {
            for t in (0..<timeSteps).reversed() {
                let start = (b * timeSteps + t) * width
                result += x[start..<start + width]
            }
        }
        return result
    }

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func gradientMatchesFiniteDifferences(bidirectional: Bool, inversward: Bool) async throws {
        let model = try Self.model(bidirectional: bidirectional, inversward: inversward)
        var random = SeededGenerator(seed: 5)
        let x = random.uniforms(Self.batch * Self.timeSteps * Self.inputWidth)
        let y = random.uniforms(Self.batch)
        let (_, gradient) = try await model.lossAndGradient(.mse, sequences: x, targets: y, context: .outputs)
        let numeric = try await centralDifferences(at: model.parameters) { p in
            var probe = model
            probe.setParameters(p)
            let pass = try await probe.forward(x, batch: Self.batch, context: .outputs)
            return Loss.mse.value(predictions: pass.predictions, targets: y)
        }
        #expect(gradient.count == model.parameterCount)
        #expect(largestDifference(gradient, numeric) < 1e-7)
        #expect(gradient.contains { abs($0) > 1e-3 })  // The check is not vacuous.
    }

    @Test func parameterLayoutAndCount() throws {
        let (d, h) = (Self.inputWidth, Self.hiddenWidth)
        var model = try Self.model(bidirectional: true, inversward: false)
        #expect(model.parameterCount == 2 * (4 * h * (d + h) + 4 * h) + 2 * h + 1)
        #expect(
            try Self.model(bidirectional: false, inversward: false).parameterCount == 4 * h * (d + h) + 4 * h + h + 1
        )
        #expect(model.parameters == model.gates.parameters + model.reverseGates!.parameters + model.head.parameters)
        var random = SeededGenerator(seed: 4)
        let p = random.uniforms(model.parameterCount)
        model.setParameters(p)
        #expect(model.parameters == p)
        #expect(model.head.parameters == Array(p.suffix(2 * h + 1)))
    }

    @Test func inverswardReadsTheReversedSequence() async throws {
        var random = SeededGenerator(seed: 6)
        let x = random.uniforms(Self.batch * Self.timeSteps * Self.inputWidth)
        let reversed = Self.reversedInTime(x, batch: Self.batch, timeSteps: Self.timeSteps, width: Self.inputWidth)
        for bidirectional in [false, true] {
            let forward = try Self.model(bidirectional: bidirectional, inversward: false)
            let backward = try Self.model(bidirectional: bidirectional, inversward: true)
            let a = try await backward.forward(x, batch: Self.batch, context: .outputs).predictions
            let b = try await forward.forward(reversed, batch: Self.batch, context: .outputs).predictions
            #expect(a == b)
        }
    }

    @Test func bidirectionalConcatenatesTheOppositeReading() async throws {
        let h = Self.hiddenWidth
        let both = try Self.model(bidirectional: true, inversward: false)
        var random = SeededGenerator(seed: 7)
        let reverseOnly = try ClassicalLSTM(
            gates: both.reverseGates!,
            head: Linear(inputs: h, outputs: 1, initialization: .uniformFanIn, generator: &random),
            inversward: true
        )
        let forwardOnly = try ClassicalLSTM(
            gates: both.gates,
            head: Linear(inputs: h, outputs: 1, initialization: .uniformFanIn, generator: &random)
        )
        let x = random.uniforms(Self.batch * Self.timeSteps * Self.inputWidth)
        let pass = try await both.forward(x, batch: Self.batch, context: .outputs)
        let first = try await forwardOnly.forward(x, batch: Self.batch, context: .outputs).finalHidden
        let second = try await reverseOnly.forward(x, batch: Self.batch, context: .outputs).finalHidden
        for b in 0..<Self.batch {
            #expect(Array(pass.finalHidden[(2 * b) * h..<(2 * b + 1) * h]) == Array(first[b * h..<(b + 1) * h]))
            #expect(Array(pass.finalHidden[(2 * b + 1) * h..<(2 * b + 2) * h]) == Array(second[b * h..<(b + 1) * h]))
        }
    }

    @Test func asynchronousGateMapsSeeEveryPositionInOrder() async throws {
        let log = PositionLog()
        var random = SeededGenerator(seed: 8)
        let linear = { Linear(inputs: 3, outputs: 8, initialization: .uniformFanIn, generator: &random) }
        let model = try LSTM(
            gates: LoggedGates(linear: linear(), log: log),
            reverseGates: LoggedGates(linear: linear(), log: log),
            head: Linear(inputs: 4, outputs: 1, initialization: .uniformFanIn, generator: &random)
        )
        let classical = try ClassicalLSTM(
            gates: model.gates.linear,
            reverseGates: model.reverseGates!.linear,
            head: model.head
        )
        let x = random.uniforms(2 * 3 * 1)
        let pass = try await model.forward(x, batch: 2, context: .outputs)
        let expected = try await classical.forward(x, batch: 2, context: .outputs)
        #expect(pass.predictions == expected.predictions)
        #expect(
            model.backward(pass, predictionGradient: [1, -1])
                == classical.backward(expected, predictionGradient: [1, -1])
        )
        let positions = await log.positions
        #expect(positions == (0..<2).flatMap { d in (0..<3).map { SequencePosition(direction: d, timeStep: $0) } })
    }

    @Test func refusesInconsistentShapes() async throws {
        var random = SeededGenerator(seed: 9)
        #expect(throws: QLSTMError.invalidParameter(name: "hidden width", value: 0, expected: "at least 1")) {
            try ClassicalLSTM(inputWidth: 1, hiddenWidth: 0, generator: &random)
        }
        let gates = Linear(inputs: 3, outputs: 8, initialization: .uniformFanIn, generator: &random)
        #expect(throws: QLSTMError.self) {
            try ClassicalLSTM(
                gates: gates,
                head: Linear(inputs: 4, outputs: 1, initialization: .uniformFanIn, generator: &random)
            )
        }
        #expect(throws: QLSTMError.self) {
            try ClassicalLSTM(
                gates: Linear(
                    inputs: 2,
                    outputs: 8,
                    weights: .init(repeating: 0, count: 16),
                    bias: .init(repeating: 0, count: 8)
                ),
                head: Linear(inputs: 2, outputs: 1, weights: [0, 0], bias: [0])
            )
        }
        let model = try ClassicalLSTM(inputWidth: 2, hiddenWidth: 2, generator: &random)
        await #expect(throws: QLSTMError.self) { try await model.forward([1, 2, 3], batch: 1, context: .outputs) }
        await #expect(throws: QLSTMError.self) { try await model.forward([], batch: 1, context: .outputs) }
        await #expect(throws: QLSTMError.self) { try await model.forward([1, 2], batch: 0, context: .outputs) }
    }

    @Test func codableRoundTripKeepsTheModel() throws {
        let model = try Self.model(bidirectional: true, inversward: true)
        let decoded = try JSONDecoder().decode(ClassicalLSTM.self, from: JSONEncoder().encode(model))
        #expect(decoded == model)
    }
}

/// Records the positions a gate map is called with, across `await`s.
actor PositionLog {
    var positions: [SequencePosition] = []

    func append(_ position: SequencePosition) {
        positions.append(position)
    }
}

/// An asynchronous gate map: a `Linear` that suspends and logs before every evaluation.
struct LoggedGates: GatePreactivations {
    let linear: Linear
    let log: PositionLog

    var inputWidth: Int { linear.inputWidth }
    var outputWidth: Int { linear.outputWidth }
    var parameterCount: Int { linear.parameterCount }
    var parameters: [Double] { linear.parameters }

    mutating func setParameters(_ parameters: [Double]) {
        fatalError("not used")
    }

    func preactivations(
        _ v: [Double],
        batch: Int,
        position: SequencePosition,
        context: EvaluationContext
    ) async throws -> (preactivations: [Double], cache: [Double]) {
        await log.append(position)
        await Task.yield()
        return linear.preactivations(v, batch: batch, position: position, context: context)
    }

    func backward(
        cache: [Double],
        preactivationGradient dz: [Double],
        batch: Int,
        parameterGradient: inout [Double]
    ) -> [Double] {
        linear.backward(cache: cache, preactivationGradient: dz, batch: batch, parameterGradient: &parameterGradient)
    }
}
