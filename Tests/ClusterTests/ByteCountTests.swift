import Cluster
import Testing

@Suite("Byte counts")
struct ByteCountTests {
    @Test(
        "sizes parse as bytes, mebibytes or gibibytes",
        arguments: [("1073741824", 1 << 30), ("512M", 512 << 20), ("4G", 4 << 30), ("6g", 6 << 30), ("0", 0)]
    )
    func parses(text: String, bytes: Int) {
        #expect(ByteCount(parsing: text)?.bytes == bytes)
    }

    @Test(
        "anything else is refused",
        arguments: ["", "G", "4 G", "4GB", "-1", "1.5G", "4T", "99999999999999999999", "9999999999G"]
    )
    func refuses(text: String) {
        #expect(ByteCount(parsing: text) == nil)
    }

    @Test("sizes print in binary units with one decimal")
    func prints() {
        #expect(ByteCount(512).description == "512 bytes")
        #expect(ByteCount(64 << 20).description == "64.0 MiB")
        #expect(ByteCount(3 << 30 + 600 << 20).description == "3.6 GiB")
    }
}
