/// What a request will cost a worker, known before any of it runs: the memory its connection
/// holds at the request's peak, the size of its reply, and its amplitude updates.
///
/// The worker checks it first, so a request that cannot be served (a reply above the protocol's
/// 64 MiB, memory above `--memory-limit`) is refused at once, not after minutes of computing, and
/// one that fits is admitted only when the memory is there (`MemoryBudget`).
struct RequestCost: Sendable {
    /// What the connection keeps between requests, before this one.
    var keptBytes: Int
    /// What the connection holds at this request's peak: what it keeps, plus every workspace,
    /// result, sample tally and reply frame the request allocates.
    var peakBytes: Int
    /// The part of `peakBytes` that is workspaces, which the connection may keep afterwards.
    var workspaceBytes = 0
    /// The part of `peakBytes` that grows with the batch (results and reply): what splitting
    /// the batch divides.
    var itemBytes = 0
    /// Items of an `evaluate`; 0 for other requests.
    var items = 0
    /// Payload bytes of the reply (`result`); 0 for requests answered by `acknowledged`.
    var replyBytes = 0
    /// Amplitude updates: how long the request computes.
    var work = 0

    /// What must be reserved from the worker's budget beyond what the connection already keeps.
    var additionalBytes: Int { max(0, peakBytes - keptBytes) }

    /// Why the request cannot be served whatever else the worker is doing, in one line for the
    /// coordinator (it shows at most `PeerText.maxScalars`), or `nil` when it can be.
    /// - Parameters:
    ///   - memoryLimit: the worker's `--memory-limit`, in bytes.
    ///   - replyLimit: the largest `result` payload a coordinator accepts (64 MiB in version 1).
    func refusal(memoryLimit: Int, replyLimit: Int) -> String? {
        if replyBytes > replyLimit {
            return
                "the result would be \(ByteCount(replyBytes)), above the protocol's \(ByteCount(replyLimit)) reply limit: "
                + "send at most \(itemsFitting(replyLimit, per: replyBytes)) items per evaluate"
        }
        guard peakBytes > memoryLimit else { return nil }
        // Exact counts when rounding would show two equal sizes.
        let (peak, limit) =
            ByteCount(peakBytes).description == ByteCount(memoryLimit).description
            ? ("\(peakBytes) bytes", "\(memoryLimit) bytes") : ("\(ByteCount(peakBytes))", "\(ByteCount(memoryLimit))")
        let needs = "this request needs \(peak) of memory, above the worker's limit of \(limit)"
        let fixed = peakBytes - itemBytes
        if items > 1 && fixed < memoryLimit {
            return needs + ": send at most \(itemsFitting(memoryLimit - fixed, per: itemBytes)) items per evaluate"
        }
        return needs + " (--memory-limit): use fewer qubits or measured wires, or a larger worker"
    }

    /// The most items whose share of `total` fits in `room`, at least 1.
    private func itemsFitting(_ room: Int, per total: Int) -> Int {
        guard total > 0, items > 0 else { return max(items, 1) }
        return max(1, Int(Double(items) * Double(room) / Double(total) * 0.95))
    }
}
