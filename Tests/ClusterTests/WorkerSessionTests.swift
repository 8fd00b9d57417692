import Cluster
import ClusterProtocol
import Foundation
import Testing
import VariationalCircuits

@Suite("Worker sessions", .timeLimit(.minutes(1)))
struct WorkerSessionTests {
    @Test("a full session gives results bit-identical to a local executor, with usage per slot")
    func fullSession() async throws {
        try await withWorker(slots: 2, maxQubits: 6) { worker in
            let (connection, hello) = try await worker.connect()
            defer { connection.close() }
            #expect(hello.workerName == "test-worker")
            #expect(hello.qpuSlots == 2)
            #expect(hello.qubitCapacity == 6)
            #expect(hello.profile == "ideal")
            #expect(hello.softwareVersion == "test")
            #expect(!hello.requiresAuthentication)
            #expect(hello.nonce != .zero)

            let circuits = testCircuits("fs", count: 3, qubits: 4)
            let parameters = testParameters(for: circuits, seed: 1)
            try await install(circuits, parameters: parameters, version: 7, on: connection)

            let reference = LocalExecutor(threads: 1, lanes: 3)
            try await reference.load(circuits)
            try await reference.setParameters(parameters, version: 7)

            let batches = [
                testBatch(for: circuits, items: 40, method: .parameterShift, version: 7, seed: 2),
                testBatch(for: circuits, items: 25, method: .adjoint, version: 7, seed: 3),
                testBatch(for: circuits, items: 30, method: nil, version: 7, seed: 4),
                testBatch(for: circuits, items: 20, method: .parameterShift, shots: 500, version: 7, seed: 5),
            ]
            for (index, batch) in batches.enumerated() {
                let reply = try await connection.request(.evaluate(batch), id: 10 + UInt64(index))
                guard case .result(let evaluations, let usage) = reply else {
                    Issue.record("batch \(index) answered \(reply)")
                    continue
                }
                let before = await reference.executionCounters()
                let expected = try await reference.evaluate(batch)
                let after = await reference.executionCounters()
                #expect(bitPatterns(evaluations) == bitPatterns(expected), "batch \(index)")
                #expect(!usage.isEmpty)
                #expect(usage.allSatisfy { $0.slot < 2 && $0.circuits > 0 && $0.busySeconds >= 0 })
                #expect(Set(usage.map(\.slot)).count == usage.count, "one entry per slot")
                #expect(usage.reduce(0) { $0 + $1.circuits } == after.circuits - before.circuits, "batch \(index)")
                #expect(usage.reduce(0) { $0 + $1.shots } == after.shots - before.shots, "batch \(index)")
                if batch.shots != nil { #expect(usage.reduce(0) { $0 + $1.shots } > 0) }
            }
            #expect(await worker.log.waitFor("loaded 3 circuits"))
            #expect(worker.log.contains("connected"))
        }
    }

    @Test("ping is answered while a long evaluation runs")
    func pingDuringEvaluation() async throws {
        try await withWorker(slots: 2) { worker in
            let (connection, _) = try await worker.connect()
            defer { connection.close() }
            let circuits = testCircuits("ping", count: 2, qubits: 8)
            try await install(circuits, parameters: testParameters(for: circuits, seed: 6), version: 1, on: connection)
            let batch = try await calibratedBatch(for: circuits, version: 1, on: connection, seconds: 1.5, id: 3)

            let clock = ContinuousClock()
            let started = clock.now
            // Same stream, so the worker has the evaluation before the ping; back to back, with
            // no suspension between, so a busy test process cannot hold the ping back.
            try connection.sendWithoutWaiting(.evaluate(batch), requestID: 100)
            try connection.sendWithoutWaiting(.ping(nonce: 0xABCD), requestID: 101)
            var order: [UInt64] = []
            var pongAfter: Duration?
            var resultAfter: Duration?
            while order.count < 2, let (id, message) = try await connection.receive() {
                order.append(id)
                switch message {
                case .pong(let nonce):
                    #expect(nonce == 0xABCD)
                    pongAfter = clock.now - started
                case .result(let evaluations, _):
                    #expect(evaluations.count == batch.items.count)
                    resultAfter = clock.now - started
                default:
                    Issue.record("unexpected \(message)")
                }
            }
            #expect(order == [101, 100], "the pong must overtake the running evaluation")
            if let pongAfter, let resultAfter {
                #expect(pongAfter < resultAfter)
            }
        }
    }

    @Test("quick requests behind a long one wait their turn: replies in order, each on the state before it")
    func quickRequestsKeepOrder() async throws {
        try await withWorker(slots: 2) { worker in
            let (connection, _) = try await worker.connect()
            defer { connection.close() }
            let circuits = testCircuits("order", count: 2, qubits: 8)
            let first = testParameters(for: circuits, seed: 1)
            let second = testParameters(for: circuits, seed: 2)
            try await install(circuits, parameters: first, version: 1, on: connection)
            let long = try await calibratedBatch(for: circuits, version: 1, on: connection, seconds: 0.5, id: 3)
            let quick = testBatch(for: circuits, items: 2, version: 2, seed: 5)

            // A long evaluation under version 1, then (quick) new parameters and a quick
            // evaluation under them: the quick ones must not overtake the long one.
            try connection.sendWithoutWaiting(.evaluate(long), requestID: 20)
            try connection.sendWithoutWaiting(.setParameters(version: 2, parameters: second), requestID: 21)
            try connection.sendWithoutWaiting(.evaluate(quick), requestID: 22)
            var replies: [(UInt64, Message)] = []
            while replies.count < 3, let frame = try await connection.receive() { replies.append(frame) }
            #expect(replies.map(\.0) == [20, 21, 22])

            let reference = LocalExecutor(threads: 1)
            try await reference.load(circuits)
            try await reference.setParameters(first, version: 1)
            let expectedLong = try await reference.evaluate(long)
            try await reference.setParameters(second, version: 2)
            let expectedQuick = try await reference.evaluate(quick)
            guard replies.count == 3, case .result(let longResults, _) = replies[0].1,
                case .result(let quickResults, _) = replies[2].1
            else {
                Issue.record("unexpected replies \(replies.map { "#\($0.0) \($0.1.type)" })")
                return
            }
            #expect(bitPatterns(longResults) == bitPatterns(expectedLong))
            #expect(bitPatterns(quickResults) == bitPatterns(expectedQuick))
        }
    }

    @Test("two coordinators with different circuits at once stay apart")
    func twoCoordinators() async throws {
        try await withWorker(slots: 2) { worker in
            let (first, _) = try await worker.connect()
            let (second, _) = try await worker.connect()
            defer {
                first.close()
                second.close()
            }
            let circuitsA = testCircuits("a", count: 2, qubits: 3)
            let circuitsB = testCircuits("b", count: 4, qubits: 5)
            let parametersA = testParameters(for: circuitsA, seed: 10)
            let parametersB = testParameters(for: circuitsB, seed: 11)
            try await install(circuitsA, parameters: parametersA, version: 1, on: first)
            try await install(circuitsB, parameters: parametersB, version: 2, on: second)

            let referenceA = LocalExecutor(threads: 1)
            try await referenceA.load(circuitsA)
            try await referenceA.setParameters(parametersA, version: 1)
            let referenceB = LocalExecutor(threads: 1)
            try await referenceB.load(circuitsB)
            try await referenceB.setParameters(parametersB, version: 2)

            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for round in 0..<5 {
                        let batch = testBatch(for: circuitsA, items: 12, version: 1, seed: 20 + UInt64(round))
                        let reply = try await first.request(.evaluate(batch), id: 10 + UInt64(round))
                        guard case .result(let evaluations, _) = reply else { throw TestFailure("A: \(reply)") }
                        #expect(try await bitPatterns(evaluations) == bitPatterns(referenceA.evaluate(batch)))
                    }
                }
                group.addTask {
                    for round in 0..<5 {
                        let batch = testBatch(for: circuitsB, items: 12, version: 2, seed: 40 + UInt64(round))
                        let reply = try await second.request(.evaluate(batch), id: 10 + UInt64(round))
                        guard case .result(let evaluations, _) = reply else { throw TestFailure("B: \(reply)") }
                        #expect(try await bitPatterns(evaluations) == bitPatterns(referenceB.evaluate(batch)))
                    }
                }
                try await group.waitForAll()
            }
            // Each connection has its own version: A's version is unknown to B.
            let crossed = try await second.request(
                .evaluate(testBatch(for: circuitsB, items: 1, version: 1, seed: 1)),
                id: 99
            )
            #expect(crossed.type == .error)
            if case .error(let code, _) = crossed { #expect(code == .parameterVersionMismatch) }
        }
    }

    @Test("request errors are answered under the request's id and keep the connection")
    func requestErrors() async throws {
        try await withWorker(slots: 1, maxQubits: 4) { worker in
            let (connection, _) = try await worker.connect()
            defer { connection.close() }
            let circuits = testCircuits("err", count: 2, qubits: 3)
            let parameters = testParameters(for: circuits, seed: 12)

            func expectError(
                _ message: Message,
                id: UInt64,
                _ code: ErrorCode,
                mentioning text: String,
                sourceLocation: SourceLocation = #_sourceLocation
            ) async throws {
                let reply = try await connection.request(message, id: id)
                guard case .error(let got, let explanation) = reply else {
                    Issue.record("request \(id) answered \(reply)", sourceLocation: sourceLocation)
                    return
                }
                #expect(got == code, "request \(id): \(explanation)", sourceLocation: sourceLocation)
                #expect(explanation.contains(text), "request \(id): \(explanation)", sourceLocation: sourceLocation)
            }

            try await expectError(
                .evaluate(testBatch(for: circuits, items: 2, version: 0, seed: 1)),
                id: 1,
                .notLoaded,
                mentioning: "loadCircuits"
            )
            try await expectError(
                .setParameters(version: 1, parameters: parameters),
                id: 2,
                .notLoaded,
                mentioning: "loadCircuits"
            )
            let wide = try SubVQC(id: "wide", qubitCount: 5, inputCount: 2)
            try await expectError(
                .loadCircuits(circuits + [wide]),
                id: 3,
                .capacityExceeded,
                mentioning: "\"wide\") has 5 qubits"
            )
            #expect(try await connection.request(.loadCircuits(circuits), id: 4) == .acknowledged)
            try await expectError(
                .evaluate(testBatch(for: circuits, items: 2, version: 0, seed: 1)),
                id: 5,
                .notLoaded,
                mentioning: "setParameters"
            )
            try await expectError(
                .setParameters(version: 1, parameters: [parameters[0]]),
                id: 6,
                .badRequest,
                mentioning: "1 parameter vectors for 2"
            )
            try await expectError(
                .setParameters(version: 1, parameters: [parameters[0], [1, 2]]),
                id: 7,
                .badRequest,
                mentioning: "circuit 1"
            )
            var nonFinite = parameters
            nonFinite[1][0] = .nan
            try await expectError(
                .setParameters(version: 1, parameters: nonFinite),
                id: 8,
                .badRequest,
                mentioning: "not finite"
            )
            #expect(
                try await connection.request(.setParameters(version: 3, parameters: parameters), id: 9) == .acknowledged
            )
            try await expectError(
                .evaluate(testBatch(for: circuits, items: 2, version: 2, seed: 1)),
                id: 10,
                .parameterVersionMismatch,
                mentioning: "version 3 is set"
            )

            var batch = testBatch(for: circuits, items: 3, version: 3, seed: 1)
            batch.items[2].inputs.append(0.5)
            try await expectError(.evaluate(batch), id: 11, .badRequest, mentioning: "item 2")
            batch = testBatch(for: circuits, items: 3, version: 3, seed: 1)
            batch.items[1].inputs[0] = .infinity
            try await expectError(.evaluate(batch), id: 12, .badRequest, mentioning: "item 1")
            batch = testBatch(for: circuits, items: 3, version: 3, seed: 1)
            batch.items[0].circuit = 2
            try await expectError(.evaluate(batch), id: 13, .notLoaded, mentioning: "circuit 2")
            try await expectError(
                .evaluate(testBatch(for: circuits, items: 2, method: .adjoint, shots: 100, version: 3, seed: 1)),
                id: 14,
                .badRequest,
                mentioning: "adjoint"
            )

            let reply = try await connection.request(
                .evaluate(testBatch(for: circuits, items: 4, version: 3, seed: 1)),
                id: 15
            )
            guard case .result(let evaluations, _) = reply else {
                Issue.record("the connection should still serve: \(reply)")
                return
            }
            #expect(evaluations.count == 4)
            #expect(connection.isOpen)
        }
    }

    @Test("an empty batch gets an empty result")
    func emptyBatch() async throws {
        try await withWorker { worker in
            let (connection, _) = try await worker.connect()
            defer { connection.close() }
            let circuits = testCircuits("empty", count: 1, qubits: 2)
            try await install(circuits, parameters: testParameters(for: circuits, seed: 1), version: 1, on: connection)
            let reply = try await connection.request(
                .evaluate(EvaluationBatch(items: [], method: nil, parameterVersion: 1)),
                id: 3
            )
            #expect(reply == .result(evaluations: [], usage: []))
        }
    }

    @Test("a coordinator that says goodbye is closed cleanly")
    func coordinatorGoodbye() async throws {
        try await withWorker { worker in
            let (connection, _) = try await worker.connect()
            try await connection.send(.goodbye(reason: "run finished"), requestID: 0)
            #expect(try await connection.receive() == nil)
            connection.close()
            #expect(await worker.log.waitFor("goodbye (run finished)"))
        }
    }
}
