import ClusterProtocol
import Dispatch
import QPUProfiles
import Synchronization
import VariationalCircuits

/// Workers inside this process, reached without sockets: each connection gets the worker's
/// own request handling (`WorkerRequests`: its checks, its executor, its usage reports), and
/// its requests are answered in order on a queue of their own, as a worker's session does.
///
/// What it leaves out is the socket session around it (handshake, memory budget,
/// backpressure): it exists to test the coordinator's placement, retries and quarantine fast
/// and without ports.
public struct InProcessWorkerTransport: WorkerTransport {
    /// One in-process worker: what it announces.
    public struct Worker: Sendable {
        public var name: String
        public var slots: Int
        public var maxQubits: Int

        public init(name: String, slots: Int = 1, maxQubits: Int = 20) {
            self.name = name
            self.slots = slots
            self.maxQubits = maxQubits
        }
    }

    public let workers: [Worker]

    public init(workers: [Worker]) {
        self.workers = workers
    }

    public func connect(
        to index: Int,
        timeout: Duration
    ) async throws -> (
        channel: any WorkerChannel, hello: WorkerHello
    ) {
        let worker = workers[index]
        let hello = WorkerHello(
            softwareVersion: "in-process",
            workerName: worker.name,
            qpuSlots: UInt16(worker.slots),
            qubitCapacity: UInt8(worker.maxQubits),
            profile: QPUProfile.ideal.name,
            nonce: .zero,
            requiresAuthentication: false
        )
        return (InProcessWorkerChannel(worker), hello)
    }
}

/// One connection to an in-process worker.
final class InProcessWorkerChannel: WorkerChannel {
    private struct State {
        var handler: (@Sendable (PeerConnection.Inbound) -> Void)?
        /// What arrived before a handler was installed.
        var undelivered: [PeerConnection.Inbound] = []
        var isClosed = false
    }

    private let name: String
    private let requests: Mutex<WorkerRequests>
    private let state = Mutex(State())
    /// Requests are answered in order, off the caller's thread.
    private let queue: DispatchQueue

    init(_ worker: InProcessWorkerTransport.Worker) {
        name = worker.name
        requests = Mutex(WorkerRequests(slots: worker.slots, lanes: 16, maxQubits: worker.maxQubits))
        queue = DispatchQueue(label: "qlstm.in-process-worker.\(worker.name)")
    }

    var protection: String { "in process" }

    @discardableResult
    func sendWithoutWaiting(
        _ message: Message,
        requestID: UInt64,
        onFailure: @escaping @Sendable (any Error) -> Void
    ) throws -> Bool {
        guard !state.withLock({ $0.isClosed }) else { throw ClusterError.connectionClosed(peer: name) }
        if case .ping(let nonce) = message {
            // Answered at once, as a worker's reader does: never behind a long request.
            deliver(.frame(requestID: 0, message: .pong(nonce: nonce)))
            return true
        }
        queue.async { [self] in
            if case .goodbye = message {
                close()
                return
            }
            let reply = requests.withLock { $0.reply(to: message, cost: $0.cost(of: message)) }
            deliver(.frame(requestID: requestID, message: reply))
        }
        return true
    }

    func send(_ message: Message, requestID: UInt64) async throws {
        try sendWithoutWaiting(message, requestID: requestID) { _ in }
    }

    func handleFrames(with handler: @escaping @Sendable (PeerConnection.Inbound) -> Void) {
        let waiting = state.withLock { state in
            state.handler = handler
            defer { state.undelivered = [] }
            return state.undelivered
        }
        for inbound in waiting { handler(inbound) }
    }

    func close() {
        let handler = state.withLock { state -> (@Sendable (PeerConnection.Inbound) -> Void)? in
            guard !state.isClosed else { return nil }
            state.isClosed = true
            return state.handler
        }
        handler?(.finished)
    }

    private func deliver(_ inbound: PeerConnection.Inbound) {
        let handler = state.withLock { state -> (@Sendable (PeerConnection.Inbound) -> Void)? in
            guard !state.isClosed else { return nil }
            guard let handler = state.handler else {
                state.undelivered.append(inbound)
                return nil
            }
            return handler
        }
        handler?(inbound)
    }
}
