/// Everything the QLSTM module can refuse, with what a user needs to fix it.
///
/// Each description is one line: what is wrong, then what to do about it.
public enum QLSTMError: Error, Equatable, CustomStringConvertible {
    /// A size or count outside the values it accepts.
    case invalidParameter(name: String, value: Int, expected: String)
    /// An array whose element count does not match the shapes it is used with.
    case countMismatch(name: String, expected: Int, found: Int)
    /// A quantum model was asked for without an executor to run its circuits on.
    case missingExecutor
    /// Circuits were asked of a model that has none (a classical LSTM).
    case noCircuits(model: String)
    /// Training produced a loss or gradient that is not finite.
    case trainingDiverged(epoch: Int, step: UInt64)

    public var description: String {
        switch self {
        case .invalidParameter(let name, let value, let expected):
            "\(name) = \(value) is invalid: expected \(expected)"
        case .countMismatch(let name, let expected, let found):
            "\(name) has \(found) element(s) but the shapes need \(expected): check the batch size, sequence length and widths"
        case .noCircuits(let model):
            "the \(model) model runs no circuits: resource estimates and circuit counts are for QLSTMs"
        case .missingExecutor:
            "a quantum model needs an executor for its circuits: give TrainableModel.make an executor (or use Trainer.assemble)"
        case .trainingDiverged(let epoch, let step):
            "training diverged at epoch \(epoch), step \(step): the loss or its gradient is not finite; lower --lr, or check the data for extreme values"
        }
    }
}
