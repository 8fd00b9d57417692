/// The version of the tool, the protocol and the model files it writes.
enum ProjectVersion {
    static let current = "0.3.0"
}
