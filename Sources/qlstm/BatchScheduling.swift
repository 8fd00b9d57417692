import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Linux's `SCHED_BATCH` policy for every thread of this process (threads created later inherit
/// it): the kernel then treats the process as throughput work and does not let its threads
/// preempt a running thread of another process when they wake.
///
/// `--local-workers` starts its workers this way. They share the host with their coordinator,
/// whose latency bounds every time step: without it, a worker woken by the first request of a
/// round could take the CPU from the coordinator before the second request was sent, making
/// the workers run one after the other. Alone on a host the policy changes nothing measurable.
enum BatchScheduling {
    /// `SCHED_BATCH` from `<sched.h>`, which Glibc exports only under `_GNU_SOURCE`.
    private static let policy: Int32 = 3

    /// - Returns: `nil`, or why the policy could not be set (the worker then runs as usual).
    static func apply() -> String? {
        guard let threads = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else {
            return "--batch-scheduling: /proc/self/task is unreadable, so the threads cannot be listed"
        }
        var parameters = sched_param(sched_priority: 0)
        for thread in threads.compactMap(Int32.init) {
            // ESRCH: the thread ended meanwhile.
            guard sched_setscheduler(thread, policy, &parameters) == 0 || errno == ESRCH else {
                return "--batch-scheduling: the kernel refused SCHED_BATCH for thread \(thread): \(String(cString: strerror(errno)))"
            }
        }
        return nil
    }
}
