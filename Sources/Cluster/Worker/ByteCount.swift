/// A number of bytes as an operator writes it (`--memory-limit 4G`) and reads it in messages
/// (`3.5 GiB`).
public struct ByteCount: Sendable, Hashable, CustomStringConvertible {
    public var bytes: Int

    public init(_ bytes: Int) {
        self.bytes = bytes
    }

    /// Parses a count of bytes (`1073741824`), of mebibytes (`512M`) or of gibibytes (`4G`);
    /// `nil` for anything else, for a negative count, or for one that overflows.
    public init?(parsing text: String) {
        var digits = Substring(text)
        var unit = 1
        switch text.last {
        case "M", "m":
            unit = 1 << 20
            digits = digits.dropLast()
        case "G", "g":
            unit = 1 << 30
            digits = digits.dropLast()
        default:
            break
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let count = Int(digits) else {
            return nil
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: unit)
        guard !overflow else { return nil }
        self.bytes = bytes
    }

    /// `512 bytes`, `12.0 KiB`, `3.5 GiB`: binary units with one decimal, as `free -h` shows.
    public var description: String {
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        guard bytes >= 1024 else { return "\(bytes) bytes" }
        var value = Double(bytes) / 1024
        var index = 0
        while value >= 1024 && index < units.count - 1 {
            value /= 1024
            index += 1
        }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[index])"
    }
}
