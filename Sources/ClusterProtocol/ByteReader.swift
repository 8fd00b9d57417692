/// Reads big-endian fields from a window of a byte array, checking every length against the
/// bytes that remain (and every count against a limit) before it allocates anything.
///
/// `what` arguments are autoclosures: they name the field in an error and cost nothing when
/// decoding succeeds.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var position: Int
    let end: Int

    /// A reader over `bytes[range]`; `range` must lie inside `bytes`.
    init(_ bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    init(_ bytes: [UInt8]) {
        self.init(bytes, range: bytes.indices)
    }

    var remaining: Int { end - position }

    /// Throws unless `count` more bytes are available.
    private func require(_ count: Int, _ what: @autoclosure () -> String) throws(ProtocolError) {
        guard count <= remaining else {
            throw .truncatedPayload(what: what(), needed: count, remaining: remaining)
        }
    }

    mutating func readUInt8(_ what: @autoclosure () -> String) throws(ProtocolError) -> UInt8 {
        try require(1, what())
        defer { position += 1 }
        return bytes[position]
    }

    mutating func readUInt16(_ what: @autoclosure () -> String) throws(ProtocolError) -> UInt16 {
        try require(2, what())
        defer { position += 2 }
        return UInt16(bytes[position]) << 8 | UInt16(bytes[position + 1])
    }

    mutating func readUInt32(_ what: @autoclosure () -> String) throws(ProtocolError) -> UInt32 {
        try require(4, what())
        defer { position += 4 }
        return bigEndianUInt32(at: position)
    }

    mutating func readUInt64(_ what: @autoclosure () -> String) throws(ProtocolError) -> UInt64 {
        try require(8, what())
        defer { position += 8 }
        return bigEndianUInt64(at: position)
    }

    mutating func readDouble(_ what: @autoclosure () -> String) throws(ProtocolError) -> Double {
        Double(bitPattern: try readUInt64(what()))
    }

    /// Reads a byte that must be 0 or 1.
    mutating func readBool(_ what: @autoclosure () -> String) throws(ProtocolError) -> Bool {
        switch try readUInt8(what()) {
        case 0: return false
        case 1: return true
        case let other: throw .invalidValue(what: what(), reason: "a boolean must be 0 or 1, not \(other)")
        }
    }

    /// Reads an optional's presence byte (0 absent, 1 present).
    mutating func readPresence(_ what: @autoclosure () -> String) throws(ProtocolError) -> Bool {
        switch try readUInt8(what()) {
        case 0: return false
        case 1: return true
        case let other:
            throw .invalidValue(what: what(), reason: "a presence byte must be 0 (absent) or 1 (present), not \(other)")
        }
    }

    /// Reads a UInt32 count and checks it against `limit`, then against the bytes remaining
    /// (each element takes at least `minimumElementSize` bytes), so the caller may reserve
    /// `count` elements safely.
    mutating func readCount(
        _ what: @autoclosure () -> String,
        limit: Int,
        minimumElementSize: Int
    ) throws(ProtocolError) -> Int {
        let raw = try readUInt32("\(what()) count")
        guard UInt64(raw) <= UInt64(max(limit, 0)), let count = Int(exactly: raw) else {
            throw .limitExceeded(what: what(), count: Int(clamping: raw), limit: limit)
        }
        let (needed, overflow) = count.multipliedReportingOverflow(by: minimumElementSize)
        try require(overflow ? .max : needed, what())
        return count
    }

    /// Reads exactly `count` raw bytes (no length prefix).
    mutating func readBytes(count: Int, _ what: @autoclosure () -> String) throws(ProtocolError) -> [UInt8] {
        try require(count, what())
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    /// Reads a UInt32 length, then that many bytes.
    mutating func readByteString(_ what: @autoclosure () -> String, limit: Int) throws(ProtocolError) -> [UInt8] {
        let count = try readCount(what(), limit: limit, minimumElementSize: 1)
        return try readBytes(count: count, what())
    }

    /// Reads a UInt32 byte count, then that many bytes of valid UTF-8.
    mutating func readString(_ what: @autoclosure () -> String, limit: Int) throws(ProtocolError) -> String {
        let count = try readCount(what(), limit: limit, minimumElementSize: 1)
        let slice = bytes[position..<(position + count)]
        guard let string = String(validating: slice, as: UTF8.self) else {
            throw .invalidValue(what: what(), reason: "the \(count) bytes are not valid UTF-8")
        }
        position += count
        return string
    }

    /// Reads a UInt32 count, then that many doubles.
    mutating func readDoubles(_ what: @autoclosure () -> String, limit: Int) throws(ProtocolError) -> [Double] {
        let count = try readCount(what(), limit: limit, minimumElementSize: 8)
        let start = position
        // Jacobians are most of a result frame: one allocation, one tight loop.
        let values = [Double](unsafeUninitializedCapacity: count) { doubles, initialized in
            bytes.withUnsafeBytes { buffer in
                let source = buffer.baseAddress! + start
                for index in 0..<count {
                    let bits = UInt64(bigEndian: source.loadUnaligned(fromByteOffset: 8 * index, as: UInt64.self))
                    doubles.initializeElement(at: index, to: Double(bitPattern: bits))
                }
            }
            initialized = count
        }
        position = start + 8 * count
        return values
    }

    /// Throws unless every byte has been read: a payload longer than its message is refused,
    /// so two implementations cannot silently disagree about a field.
    func expectEnd(of type: MessageType) throws(ProtocolError) {
        guard remaining == 0 else { throw .trailingBytes(message: type, count: remaining) }
    }

    // Callers have checked the bounds.
    private func bigEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
    }

    private func bigEndianUInt64(at offset: Int) -> UInt64 {
        UInt64(bigEndianUInt32(at: offset)) << 32 | UInt64(bigEndianUInt32(at: offset + 4))
    }
}
