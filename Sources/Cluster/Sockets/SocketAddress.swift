#if canImport(Glibc)
import Glibc
#endif

/// One resolved socket address (IPv4 or IPv6) with what `socket` needs to open a matching socket.
package struct SocketAddress: @unchecked Sendable {
    // @unchecked: `sockaddr_storage` is a plain C value with no pointers; it is copied, never shared.
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    var family: Int32 { Int32(storage.ss_family) }

    init() {}

    /// Copies `length` bytes of an address that `getaddrinfo` or `accept` produced.
    init(_ address: UnsafePointer<sockaddr>, length: socklen_t) {
        let count = min(Int(length), MemoryLayout<sockaddr_storage>.size)
        withUnsafeMutableBytes(of: &storage) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: address, count: count))
        }
        self.length = socklen_t(count)
    }

    /// Calls `body` with the address as the `sockaddr` pointer the socket calls take.
    func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        withUnsafeBytes(of: storage) { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }

    /// The numeric host and port (`127.0.0.1:54321`, `[::1]:7000`), never a DNS lookup, so it
    /// is cheap enough for every log line.
    package var endpoint: Endpoint? {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let status = withSockaddr { address, length in
            getnameinfo(
                address,
                length,
                &host,
                socklen_t(host.count),
                &service,
                socklen_t(service.count),
                NI_NUMERICHOST | NI_NUMERICSERV
            )
        }
        guard status == 0 else { return nil }
        let hostText = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let serviceText = String(decoding: service.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let port = UInt16(serviceText) else { return nil }
        return Endpoint(host: hostText, port: port)
    }

    /// Whether this is a loopback address (127.0.0.0/8, ::1, or ::ffff:127.x.y.z), which only
    /// processes on this machine can reach.
    package var isLoopback: Bool {
        withUnsafeBytes(of: storage) { raw in
            switch family {
            case AF_INET:
                let address = raw.load(
                    fromByteOffset: MemoryLayout<sockaddr_in>.offset(of: \.sin_addr)!,
                    as: in_addr.self
                )
                return UInt32(bigEndian: address.s_addr) >> 24 == 127
            case AF_INET6:
                let offset = MemoryLayout<sockaddr_in6>.offset(of: \.sin6_addr)!
                let bytes = (0..<16).map { raw[offset + $0] }
                let isMapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
                return bytes == [UInt8](repeating: 0, count: 15) + [1] || (isMapped && bytes[12] == 127)
            default:
                return false
            }
        }
    }

    /// The bytes that tell one client machine from another: the whole IPv4 address (an IPv4
    /// client rarely holds many), the /64 prefix of an IPv6 one (one machine or site commonly
    /// holds a whole /64), for limits per client.
    var hostPrefix: [UInt8] {
        withUnsafeBytes(of: storage) { raw in
            switch family {
            case AF_INET:
                let offset = MemoryLayout<sockaddr_in>.offset(of: \.sin_addr)!
                return Array(raw[offset..<(offset + 4)])
            case AF_INET6:
                let offset = MemoryLayout<sockaddr_in6>.offset(of: \.sin6_addr)!
                let bytes = Array(raw[offset..<(offset + 16)])
                let isMapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
                return isMapped ? Array(bytes[12..<16]) : Array(bytes[0..<8])
            default:
                return []
            }
        }
    }

    /// The addresses of `endpoint`, in the resolver's order of preference.
    /// - Parameter passive: for a listening socket (an empty host would mean every interface).
    /// - Throws: `ClusterError.addressResolution` when the name has no address.
    static func resolve(_ endpoint: Endpoint, passive: Bool) throws(ClusterError) -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(endpoint.host, String(endpoint.port), &hints, &list)
        guard status == 0 else {
            let message =
                status == EAI_SYSTEM ? ClusterError.errnoText(errno) : String(cString: gai_strerror(status))
            throw .addressResolution(host: endpoint.host, message: message)
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var entry = list
        while let info = entry?.pointee {
            if let address = info.ai_addr, info.ai_family == AF_INET || info.ai_family == AF_INET6 {
                addresses.append(SocketAddress(address, length: info.ai_addrlen))
            }
            entry = info.ai_next
        }
        guard !addresses.isEmpty else {
            throw .addressResolution(host: endpoint.host, message: "no IPv4 or IPv6 address")
        }
        return addresses
    }
}
