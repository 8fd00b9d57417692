/// An evaluation pass without Jacobians. With finite shots every pass draws its own shots:
/// its seed domain sets it apart from every training step (which count up from 1) and from
/// every other pass, so a test never reuses the validation's or training's samples.
public enum EvaluationPass: Sendable, Hashable {
    /// The test windows after epoch `epoch`.
    case test(epoch: Int)
    /// The validation windows after epoch `epoch`.
    case validation(epoch: Int)
    /// The trained model's final predictions on one split of the data.
    case final(Split)
    /// The trained weights of a noisy run re-evaluated on the ideal emulator.
    case idealTest
    /// Predictions for new data (`qlstm predict`, `serve`, `LoadedModel`).
    case inference

    public enum Split: Sendable, Hashable {
        case train, validation, test
    }

    /// The value standing in for the optimiser step in this pass's shot seeds: counted down
    /// from `UInt64.max`, far from every step, with one bit per kind of pass.
    public var seedDomain: UInt64 {
        let offset: UInt64 =
            switch self {
            case .inference: 0
            case .test(let epoch): UInt64(epoch)
            case .validation(let epoch): UInt64(epoch) | 1 << 32
            case .final(.train): 1 << 40
            case .final(.test): 1 << 41
            case .idealTest: 1 << 42
            case .final(.validation): 1 << 43
            }
        return UInt64.max - offset
    }
}
