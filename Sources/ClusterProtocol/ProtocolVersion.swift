/// The version of the wire protocol; a peer with another version is refused at its first frame.
///
/// The first six bytes of a frame (magic and version) keep their meaning in every version, so
/// two builds can always tell that they disagree.
public enum ProtocolVersion {
    public static let current: UInt16 = 2
}
