/// What an executor refuses.
public enum ExecutorError: Error, Equatable, CustomStringConvertible {
    case unknownCircuit(Int, loaded: Int)
    case parameterSetCount(expected: Int, got: Int)
    case parameterVersion(expected: UInt64, got: UInt64)
    /// Circuits were loaded but no parameters set since.
    case parametersNotSet

    public var description: String {
        switch self {
        case .unknownCircuit(let index, let loaded):
            "circuit \(index) is not loaded (\(loaded) circuits are): load the circuits and set their parameters first"
        case .parameterSetCount(let expected, let got):
            "\(got) parameter vectors for \(expected) loaded circuits: give one vector per circuit"
        case .parameterVersion(let expected, let got):
            "the batch asks for parameter version \(got) but version \(expected) is set: set the parameters before evaluating"
        case .parametersNotSet:
            "no parameters are set for the loaded circuits: call setParameters after load and before evaluate"
        }
    }
}
