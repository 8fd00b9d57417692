import Cluster
import ClusterProtocol
import Dispatch
import Testing

/// The connection alone, against a raw socket playing the other side.
@Suite("Peer connections", .timeLimit(.minutes(1)))
struct PeerConnectionTests {
    /// A connection to a raw listener, and the raw end of it.
    private func connectedPair() async throws -> (PeerConnection, RawSocket, RawListener) {
        let listener = try RawListener()
        let (connection, raw) = try await listener.accept {
            try await PeerConnection.connect(to: Endpoint(host: "127.0.0.1", port: listener.port), timeout: .seconds(5))
        }
        return (connection, raw, listener)
    }

    @Test("frames sent from many threads at once, with a peer not yet reading, go out whole and in each thread's order")
    func concurrentSendersKeepFramesWhole() async throws {
        let (connection, raw, listener) = try await connectedPair()
        defer {
            raw.close()
            listener.close()
        }
        // Large frames fill the kernel's buffers, so later ones take the queued path while other
        // threads keep sending: the place in the queue must be the place in the stream.
        let threads = 8
        let perThread = 1_000
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                DispatchQueue.concurrentPerform(iterations: threads) { thread in
                    for index in 0..<perThread {
                        let size = index % 2 == 0 ? 3_900 + index % 100 : 10
                        _ = try? connection.sendWithoutWaiting(
                            .goodbye(reason: String(repeating: "\(thread)", count: size)),
                            requestID: UInt64(thread * 10_000 + index)
                        )
                    }
                }
                done.resume()
            }
        }
        let reading = Task { try await raw.readFramesUntilClosed() }
        await connection.finish(lingering: .seconds(30))
        let frames = try await reading.value.frames
        #expect(frames.count == threads * perThread)
        var next = Array(repeating: 0, count: threads)
        for frame in frames {
            let thread = Int(frame.requestID / 10_000)
            guard case .goodbye(let reason) = frame.message, Set(reason) == Set("\(thread)") else {
                Issue.record("frame \(frame.requestID) arrived spliced")
                return
            }
            #expect(Int(frame.requestID % 10_000) == next[thread], "thread \(thread) out of order")
            next[thread] += 1
        }
    }

    @Test("frames arrive whole and in order, however the bytes are split")
    func framesInOrder() async throws {
        let (connection, raw, listener) = try await connectedPair()
        defer {
            connection.close()
            raw.close()
            listener.close()
        }
        #expect(connection.peerDescription == "127.0.0.1:\(listener.port)")
        let messages: [Message] = (0..<50).map { index in
            index % 3 == 0 ? .ping(nonce: UInt64(index)) : .goodbye(reason: String(repeating: "x", count: index * 37))
        }
        var stream: [UInt8] = []
        for (index, message) in messages.enumerated() {
            stream += FrameEncoder().encode(message, requestID: UInt64(index))
        }
        // Odd-sized pieces, so frame boundaries fall inside headers and payloads.
        var offset = 0
        var size = 1
        while offset < stream.count {
            let end = min(stream.count, offset + size)
            try await raw.send(Array(stream[offset..<end]))
            offset = end
            size = size * 3 % 101 + 1
        }
        raw.shutdownOutput()
        var received: [(UInt64, Message)] = []
        for try await frame in connection.incoming { received.append(frame) }
        #expect(received.map(\.0) == (0..<50).map(UInt64.init))
        #expect(received.map(\.1) == messages)
    }

    @Test("sends from many tasks at once never interleave")
    func concurrentSends() async throws {
        let (connection, raw, listener) = try await connectedPair()
        defer {
            raw.close()
            listener.close()
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<25 {
                        let id = UInt64(task * 100 + index)
                        try await connection.send(
                            .goodbye(reason: String(repeating: "\(task)", count: 3000 + index)),
                            requestID: id
                        )
                    }
                }
            }
            try await group.waitForAll()
        }
        connection.close()
        let result = try await raw.readFramesUntilClosed()
        #expect(result.closed)
        #expect(result.frames.count == 200)
        #expect(Set(result.frames.map(\.requestID)).count == 200)
        for frame in result.frames {
            guard case .goodbye(let reason) = frame.message else { continue }
            #expect(reason.count == 3000 + Int(frame.requestID % 100))
            #expect(Set(reason).count == 1)
        }
    }

    @Test("a frame the decoder refuses is answered with an error frame, then the stream throws")
    func refusesGarbage() async throws {
        let (connection, raw, listener) = try await connectedPair()
        defer {
            connection.close()
            raw.close()
            listener.close()
        }
        try await raw.send(FrameEncoder().encode(.ping(nonce: 1), requestID: 1) + Array("garbage".utf8))
        var received: [UInt64] = []
        await #expect {
            for try await (id, _) in connection.incoming { received.append(id) }
        } throws: { error in
            guard let error = error as? ClusterError, case .protocolViolation(_, let cause) = error else {
                return false
            }
            return cause.errorCode == .malformedFrame
        }
        #expect(received == [1], "the frame before the garbage is still delivered")
        let answer = try await raw.readFramesUntilClosed()
        #expect(answer.closed)
        #expect(answer.frames.count == 1)
        if case .error(let code, let message)? = answer.frames.first?.message {
            #expect(code == .malformedFrame)
            #expect(message.contains("51 4C 53 43"))
        } else {
            Issue.record("expected an error frame, got \(answer.frames)")
        }
        #expect(!connection.isOpen)
        await #expect(throws: ClusterError.self) { try await connection.send(.ping(nonce: 2), requestID: 2) }
    }

    @Test("close() ends a pending receive and makes sends fail")
    func closeUnblocks() async throws {
        let (connection, raw, listener) = try await connectedPair()
        defer {
            raw.close()
            listener.close()
        }
        let waiting = Task { try await connection.receive() }
        try await Task.sleep(for: .milliseconds(100))
        connection.close()
        connection.close()
        #expect(try await waiting.value == nil)
        await #expect {
            try await connection.send(.ping(nonce: 1), requestID: 1)
        } throws: { error in
            guard let error = error as? ClusterError, case .connectionClosed = error else { return false }
            return true
        }
        #expect(try await raw.readFramesUntilClosed().closed)
    }

    @Test("cancelling a receive takes no frame")
    func cancelledReceive() async throws {
        let (connection, raw, listener) = try await connectedPair()
        defer {
            connection.close()
            raw.close()
            listener.close()
        }
        let waiting = Task { try await connection.receive() }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiting.value }
        try await raw.send(.pong(nonce: 5), requestID: 5)
        let frame = try await connection.receive()
        #expect(frame?.requestID == 5)
        #expect(frame?.message == .pong(nonce: 5))
    }

    @Test("a peer that closes mid-frame ends the stream with an error")
    func closedMidFrame() async throws {
        let (connection, raw, listener) = try await connectedPair()
        defer {
            connection.close()
            listener.close()
        }
        try await raw.send(Array(FrameEncoder().encode(.goodbye(reason: "bye"), requestID: 0).prefix(10)))
        raw.close()
        await #expect {
            _ = try await connection.receive()
        } throws: { error in
            guard let error = error as? ClusterError, case .closedMidFrame = error else { return false }
            return true
        }
    }

    @Test("a message above the limits is refused before sending")
    func oversizedMessage() async throws {
        let (connection, raw, listener) = try await connectedPair()
        defer {
            connection.close()
            raw.close()
            listener.close()
        }
        await #expect {
            try await connection.send(.goodbye(reason: String(repeating: "x", count: 5000)), requestID: 0)
        } throws: { error in
            guard let error = error as? ClusterError, case .messageTooLarge = error else { return false }
            return true
        }
        #expect(connection.isOpen)
    }

    @Test("connecting to a closed port fails with the endpoint and the reason")
    func connectRefused() async throws {
        let listener = try RawListener()
        let port = listener.port
        listener.close()
        await #expect {
            _ = try await PeerConnection.connect(to: Endpoint(host: "127.0.0.1", port: port), timeout: .seconds(5))
        } throws: { error in
            guard let error = error as? ClusterError, case .connectFailed(let endpoint, _) = error else { return false }
            return endpoint.port == port && error.description.contains("refused")
        }
    }

    @Test("an unknown host name fails with a resolution error")
    func unknownHost() async throws {
        await #expect {
            _ = try await PeerConnection.connect(
                to: Endpoint(host: "no-such-host.invalid", port: 7000),
                timeout: .seconds(5)
            )
        } throws: { error in
            guard let error = error as? ClusterError, case .addressResolution(let host, _) = error else { return false }
            return host == "no-such-host.invalid"
        }
    }

    @Test("a host name resolves and connects")
    func hostName() async throws {
        let listener = try RawListener()
        defer { listener.close() }
        let (connection, raw) = try await listener.accept {
            try await PeerConnection.connect(to: Endpoint(host: "localhost", port: listener.port), timeout: .seconds(5))
        }
        connection.close()
        raw.close()
    }
}
