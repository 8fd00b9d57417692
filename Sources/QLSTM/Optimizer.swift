/// One of the optimisers, chosen at run time and saved with its state in checkpoints.
///
/// An enum rather than a protocol so that a checkpoint decodes without knowing the type in
/// advance. It encodes as `{"kind": "adam", "state": {...}}`; Doubles go through `Codable`
/// unchanged, so a JSON round trip continues training bit for bit.
public enum Optimizer: Sendable, Equatable {
    case sgd(SGD)
    case rmsProp(RMSProp)
    case adam(Adam)

    /// The optimiser's name in configurations and checkpoints: "sgd", "rmsprop" or "adam".
    public var kind: String {
        switch self {
        case .sgd: "sgd"
        case .rmsProp: "rmsprop"
        case .adam: "adam"
        }
    }

    /// lr of whichever optimiser this is; a schedule may change it between steps.
    public var learningRate: Double {
        get {
            switch self {
            case .sgd(let o): o.learningRate
            case .rmsProp(let o): o.learningRate
            case .adam(let o): o.learningRate
            }
        }
        set {
            switch self {
            case .sgd(var o):
                o.learningRate = newValue
                self = .sgd(o)
            case .rmsProp(var o):
                o.learningRate = newValue
                self = .rmsProp(o)
            case .adam(var o):
                o.learningRate = newValue
                self = .adam(o)
            }
        }
    }

    /// Moves `parameters` one step against `gradient` and updates the optimiser's state.
    public mutating func step(parameters: inout [Double], gradient: [Double]) {
        switch self {
        case .sgd(var o):
            o.step(parameters: &parameters, gradient: gradient)
            self = .sgd(o)
        case .rmsProp(var o):
            o.step(parameters: &parameters, gradient: gradient)
            self = .rmsProp(o)
        case .adam(var o):
            o.step(parameters: &parameters, gradient: gradient)
            self = .adam(o)
        }
    }
}

extension Optimizer: Codable {
    private enum CodingKeys: String, CodingKey {
        case kind, state
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try container.decode(String.self, forKey: .kind)
        switch kind {
        case "sgd": self = .sgd(try container.decode(SGD.self, forKey: .state))
        case "rmsprop": self = .rmsProp(try container.decode(RMSProp.self, forKey: .state))
        case "adam": self = .adam(try container.decode(Adam.self, forKey: .state))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .kind,
                in: container,
                debugDescription: "unknown optimiser '\(kind)': expected 'sgd', 'rmsprop' or 'adam'"
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        switch self {
        case .sgd(let o): try container.encode(o, forKey: .state)
        case .rmsProp(let o): try container.encode(o, forKey: .state)
        case .adam(let o): try container.encode(o, forKey: .state)
        }
    }
}
