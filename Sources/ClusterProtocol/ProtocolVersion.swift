/// The version of the wire protocol; a peer with another version is refused at hello.
public enum ProtocolVersion {
    public static let current: UInt16 = 1
}
