/// The version of the tool, the protocol and the model files it writes.
public enum ProjectVersion {
    public static let current = "0.5.0"
}
