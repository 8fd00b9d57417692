/// Appends big-endian fields to a growing byte array: the one place that decides how integers,
/// doubles, strings and counts look on the wire, so the encoder cannot disagree with itself.
struct ByteWriter {
    private(set) var bytes: [UInt8]

    init(reservingCapacity capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    var count: Int { bytes.count }

    mutating func write(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func write(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Writes the IEEE-754 bit pattern, so every value (signed zeros, infinities, NaN payloads)
    /// arrives bit for bit.
    mutating func write(_ value: Double) {
        write(value.bitPattern)
    }

    mutating func write(_ value: Bool) {
        write(value ? 1 as UInt8 : 0)
    }

    /// Writes raw bytes without a length (for fixed-size fields such as a nonce).
    mutating func write(raw: some Collection<UInt8>) {
        bytes.append(contentsOf: raw)
    }

    /// Writes a UInt32 count, then the bytes.
    mutating func write(bytes value: [UInt8]) {
        writeCount(value.count)
        bytes.append(contentsOf: value)
    }

    /// Writes a UInt32 byte count, then the UTF-8 bytes.
    mutating func write(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            writeCount(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    /// Writes a UInt32 count, then each double's bit pattern.
    mutating func write(_ values: [Double]) {
        writeCount(values.count)
        // Jacobians make up most of a result frame: store them in one pass, not byte by byte.
        values.withUnsafeBufferPointer { doubles in
            let count = doubles.count
            guard count > 0 else { return }
            bytes.reserveCapacity(bytes.count + 8 * count)
            // Appending from a raw buffer is a memcpy; the byte swap is a tight loop over it.
            let start = bytes.count
            bytes.append(contentsOf: UnsafeRawBufferPointer(doubles))
            bytes.withUnsafeMutableBytes { buffer in
                let target = buffer.baseAddress! + start
                for index in 0..<count {
                    let bits = target.loadUnaligned(fromByteOffset: 8 * index, as: UInt64.self)
                    target.storeBytes(of: bits.bigEndian, toByteOffset: 8 * index, as: UInt64.self)
                }
            }
        }
    }

    /// Writes a count as UInt32. Counts that do not fit are written as `UInt32.max`, which is
    /// above every limit, so the receiver refuses the frame instead of misreading it.
    mutating func writeCount(_ count: Int) {
        write(UInt32.saturating(count))
    }

}

extension FixedWidthInteger where Self: UnsignedInteger {
    /// The value if it fits, else `max`: a value that cannot be represented goes out as one that
    /// every receiver refuses (above a limit or outside a range), never as a different valid one.
    static func saturating(_ value: Int) -> Self {
        Self(exactly: value) ?? .max
    }
}
