/// A TCP endpoint: a host (IPv4 or IPv6 literal, or a host name) and a port.
///
/// Written `host:port`, with IPv6 literals in brackets (`[::1]:7000`), as in URLs: a bare IPv6
/// address is refused because its last colon cannot be told from the port separator.
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    /// An IPv4 literal, an IPv6 literal without brackets, or a host name.
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`, `[ipv6]:port` or `hostname:port`.
    /// - Throws: `ClusterError.invalidEndpoint` saying what is wrong with the text.
    public init(parsing text: String) throws(ClusterError) {
        func refuse(_ reason: String) -> ClusterError { .invalidEndpoint(text, reason: reason) }
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw refuse("the IPv6 address has no closing ']'") }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.first == ":" else { throw refuse("a ':' and a port must follow ']'") }
            portText = rest.dropFirst()
            // An address, optionally with a zone after '%' (`fe80::1%eth0`).
            let parts = host.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false)
            let address = parts[0]
            let zoneIsValid =
                parts.count == 1
                || (!parts[1].isEmpty
                    && parts[1].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) })
            guard address.contains(":"), address.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }), zoneIsValid
            else {
                throw refuse("'\(host)' is not an IPv6 address")
            }
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw refuse("the port is missing") }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") { throw refuse("put an IPv6 address in brackets, such as [::1]:7000") }
            guard !host.isEmpty else { throw refuse("the host is missing") }
            guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }) else {
                throw refuse("a host name may hold only letters, digits, '-', '.' and '_'")
            }
        }
        guard !portText.isEmpty else { throw refuse("the port is missing") }
        guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = UInt16(portText) else {
            throw refuse("the port must be a number from 0 to 65535")
        }
        self.init(host: String(host), port: port)
    }

    /// `host:port`, with an IPv6 host in brackets, so the text parses back to this endpoint.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
