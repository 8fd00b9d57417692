import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What a relay does to one direction of one connection, chunk by chunk.
protocol StreamRewriter: Sendable {
    /// The bytes to send on for `chunk`: the same, changed, or more or fewer.
    mutating func rewrite(_ chunk: ArraySlice<UInt8>) -> [UInt8]
}

/// A TCP relay on 127.0.0.1 in front of one worker that passes each connection's two directions
/// through rewriters: the tests' faulty link or man in the middle.
final class LoopbackRelay: Sendable {
    /// Per connection (counted from 1) and direction (`toWorker`), what rewrites it; `nil`
    /// passes it untouched.
    typealias Rewriters = @Sendable (_ connection: Int, _ toWorker: Bool) -> (any StreamRewriter)?

    let port: UInt16
    private let listener: Int32

    /// Listens on a free port and forwards each connection to 127.0.0.1:`target`.
    init(forwardingTo target: Int, rewriters: @escaping Rewriters) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 8) == 0
                    && getsockname(listener, pointer, &length) == 0
            }
        }
        guard bound else { throw RelayFailure(description: "cannot listen on 127.0.0.1: errno \(errno)") }
        self.listener = listener
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [self] in accept(forwardingTo: target, rewriters: rewriters) }
    }

    /// Stops accepting; connections already relayed end when their peers close them.
    func close() {
        Glibc.shutdown(listener, Int32(SHUT_RDWR))
    }

    private func accept(forwardingTo target: Int, rewriters: Rewriters) {
        var connections = 0
        while true {
            let client = Glibc.accept(listener, nil, nil)
            guard client >= 0 else { break }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(target).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            guard connected else {
                Glibc.close(client)
                Glibc.close(server)
                continue
            }
            connections += 1
            let pumps = DispatchGroup()
            for (source, destination, toWorker) in [(client, server, true), (server, client, false)] {
                let rewriter = rewriters(connections, toWorker)
                pumps.enter()
                Thread.detachNewThread {
                    Self.pump(from: source, to: destination, rewriter: rewriter)
                    pumps.leave()
                }
            }
            pumps.notify(queue: .global()) {
                Glibc.close(client)
                Glibc.close(server)
            }
        }
        Glibc.close(listener)
    }

    /// Copies bytes until either side ends, through `rewriter` when there is one.
    private static func pump(from source: Int32, to destination: Int32, rewriter: (any StreamRewriter)?) {
        var rewriter = rewriter
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        reading: while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            let out = rewriter?.rewrite(buffer[0..<count]) ?? Array(buffer[0..<count])
            var offset = 0
            while offset < out.count {
                let sent = out[offset...].withUnsafeBytes {
                    send(destination, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                if sent < 0 && errno == EINTR { continue }
                guard sent > 0 else { break reading }
                offset += sent
            }
        }
        Glibc.shutdown(destination, Int32(SHUT_WR))
        Glibc.shutdown(source, Int32(SHUT_RD))
    }

    struct RelayFailure: Error, CustomStringConvertible {
        let description: String
    }
}
