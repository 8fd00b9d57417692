import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// How much memory this process may use, for the worker's default memory limit: the machine's
/// physical memory, a container's cgroup limit, and the address-space and data-segment limits
/// (`ulimit -v`, `ulimit -d`), whichever is smallest.
enum SystemMemory {
    /// The physical memory (or cgroup limit) and address-space limit this process runs under.
    struct Limits {
        /// Physical memory, or the cgroup's memory limit when that is lower.
        var physical: Int
        /// `RLIMIT_AS` or `RLIMIT_DATA`, whichever is lower; `nil` when both are unlimited.
        var addressSpace: Int?
    }

    /// The limits of this process, read now.
    static func current() -> Limits {
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        var physical = pages > 0 && pageSize > 0 ? pages * pageSize : Int.max
        if let cgroup = cgroupLimit() { physical = min(physical, cgroup) }
        let addressSpace = [RLIMIT_AS, RLIMIT_DATA].compactMap { resource -> Int? in
            var limit = rlimit()
            guard getrlimit(__rlimit_resource_t(resource.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max
            else { return nil }
            return Int(clamping: limit.rlim_cur)
        }.min()
        return Limits(physical: physical, addressSpace: addressSpace)
    }

    /// The default memory limit of a worker under `limits`: three quarters of physical memory,
    /// leaving the rest to the kernel, other processes and what the worker holds outside its
    /// budget; and at most half an address-space limit, because the address space also holds
    /// code, thread stacks (8 MiB each) and the allocator's reserved arenas, which `ulimit -v`
    /// counts although they use no memory.
    static func defaultWorkerLimit(under limits: Limits) -> Int {
        min(limits.physical / 4 * 3, (limits.addressSpace ?? .max) / 2)
    }

    /// The memory limit of this process's cgroup (v2 `memory.max`, v1 `memory.limit_in_bytes`),
    /// or `nil` when there is none or it cannot be read.
    private static func cgroupLimit() -> Int? {
        guard let membership = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) else { return nil }
        for line in membership.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let path = String(fields[2])
            let file: String
            if fields[0] == "0" && fields[1].isEmpty {
                file = "/sys/fs/cgroup\(path)/memory.max"
            } else if fields[1].split(separator: ",").contains("memory") {
                file = "/sys/fs/cgroup/memory\(path)/memory.limit_in_bytes"
            } else {
                continue
            }
            if let text = try? String(contentsOfFile: file, encoding: .utf8),
                let bytes = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return bytes
            }
        }
        return nil
    }
}
