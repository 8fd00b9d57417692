import ClusterProtocol

/// The frames a connection's reader thread has decoded and nobody has received yet, and the
/// receivers waiting for the next one: the hand-off from a blocking thread to async code.
///
/// Kept inside the connection's `Mutex`; every method is O(1) amortised and never resumes a
/// continuation itself (it returns the ones to resume, so they run outside the lock).
struct FrameInbox {
    typealias Frame = (requestID: UInt64, message: Message)
    typealias Receiver = CheckedContinuation<Frame?, any Error>

    /// How the inbound stream ended.
    enum End {
        /// The peer closed the connection cleanly (or we closed it).
        case finished
        /// The stream broke: a reset, a refused frame, a close in the middle of a frame.
        case failed(ClusterError)
    }

    /// What a receiver gets without waiting.
    enum Available {
        case frame(Frame)
        case end(End)
    }

    private var frames: [Frame] = []
    /// The first frame not yet received; frames before it are dropped in batches.
    private var head = 0
    private(set) var end: End?
    private var receivers: [(id: UInt64, continuation: Receiver)] = []
    private var nextReceiverID: UInt64 = 0

    /// The next frame, or the end once every frame has been received; `nil` means wait.
    mutating func take() -> Available? {
        if head < frames.count {
            let frame = frames[head]
            head += 1
            if head == frames.count {
                frames.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 64 && head * 2 >= frames.count {
                frames.removeFirst(head)
                head = 0
            }
            return .frame(frame)
        }
        return end.map(Available.end)
    }

    /// A fresh id for a receiver, so that its cancellation handler can find it.
    mutating func makeReceiverID() -> UInt64 {
        nextReceiverID += 1
        return nextReceiverID
    }

    /// Queues a receiver for the next frame (receivers are served in the order they wait).
    mutating func wait(_ receiver: Receiver, id: UInt64) {
        receivers.append((id, receiver))
    }

    /// Removes a cancelled receiver; `nil` when it has already been given a frame.
    mutating func removeReceiver(id: UInt64) -> Receiver? {
        guard let index = receivers.firstIndex(where: { $0.id == id }) else { return nil }
        return receivers.remove(at: index).continuation
    }

    /// Hands a frame to the longest-waiting receiver (returned, to resume outside the lock),
    /// or buffers it. Frames after the end are dropped.
    mutating func deliver(_ frame: Frame) -> Receiver? {
        guard end == nil else { return nil }
        if !receivers.isEmpty { return receivers.removeFirst().continuation }
        frames.append(frame)
        return nil
    }

    /// Records the end of the stream once; returns the receivers waiting, to resume with it.
    /// Buffered frames stay receivable before the end.
    mutating func finish(_ end: End) -> [Receiver] {
        guard self.end == nil else { return [] }
        self.end = end
        defer { receivers = [] }
        return receivers.map(\.continuation)
    }
}
