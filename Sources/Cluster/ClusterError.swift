/// What the cluster layer can fail with, each with what a user can do about it.
public enum ClusterError: Error, Equatable, CustomStringConvertible {
    case placeholder

    public var description: String { "cluster error" }
}
