import Dispatch

/// Splits element-wise work on large states across the machine's cores.
///
/// Only element-wise kernels are split this way; reductions use fixed-size blocks summed in
/// index order (see `StateVector.reduceInBlocks`), so no result depends on the thread count.
public enum Parallel {
    /// States of at least this many qubits are worth splitting; below it a thread hop costs more
    /// than the gate.
    public static let qubitThreshold = 14

    /// The number of threads large kernels use (every core).
    public static let threadCount = max(1, activeProcessorCount())

    /// Calls `body` on disjoint sub-ranges of `0..<count`, concurrently when `parallel` is true.
    @inline(__always)
    static func forEachChunk(of count: Int, parallel: Bool, _ body: @Sendable (Range<Int>) -> Void) {
        let chunks = parallel ? threadCount : 1
        if chunks == 1 || count < chunks {
            body(0..<count)
            return
        }
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let lo = count * chunk / chunks
            let hi = count * (chunk + 1) / chunks
            body(lo..<hi)
        }
    }
}

/// A buffer address handed to the threads of one kernel call; each thread touches disjoint
/// indices, which is what makes sharing it sound.
struct SharedBuffer: @unchecked Sendable {
    let base: UnsafeMutablePointer<Double>
    init(_ base: UnsafeMutablePointer<Double>) { self.base = base }
}

#if canImport(Glibc)
import Glibc
private func activeProcessorCount() -> Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
#elseif canImport(Darwin)
import Darwin
private func activeProcessorCount() -> Int {
    var count: Int32 = 0
    var size = MemoryLayout<Int32>.size
    sysctlbyname("hw.activecpu", &count, &size, nil, 0)
    return Int(count)
}
#endif
