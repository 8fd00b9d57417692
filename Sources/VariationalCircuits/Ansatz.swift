/// How a VQC loads its input features.
public enum Encoding: String, Sendable, Hashable, Codable, CaseIterable {
    /// The paper's: H on every wire, then RY(x_i) on wire i.
    case paper
    /// The 2020 QLSTM's: H, RY(arctan x_i), RZ(arctan x_i^2) on wire i.
    case arctan
    /// RX(x_i) on wire i (PennyLane's AngleEmbedding with rotation X).
    case angleX = "angle-x"
    /// RY(x_i) on wire i (PennyLane's AngleEmbedding with rotation Y).
    case angleY = "angle-y"
}

/// The two-qubit pattern of a variational layer.
public enum EntanglingPattern: String, Sendable, Hashable, Codable, CaseIterable {
    /// The paper's: CNOT on (0,1), (2,3), ... then on (1,2), (3,4), ...; no wrap-around.
    case brick
    /// CNOT (i, i+1 mod n) for every wire i.
    case ring
    /// PennyLane's StronglyEntanglingLayers: rotations first, then CNOT (i, i+r mod n) with the
    /// range r = l mod (n-1) + 1 growing with the layer index l.
    case stronglyEntangling = "strongly-entangling"
}

/// The trainable single-qubit layer.
public enum RotationLayer: String, Sendable, Hashable, Codable, CaseIterable {
    /// RY(theta) on every wire (the paper): one parameter per wire.
    case ry
    /// RX, RY, RZ on every wire: three parameters per wire.
    case xyz
    /// Rot(a, b, c) = RZ(c) RY(b) RZ(a) on every wire: three parameters per wire.
    case rot

    /// Trainable angles per wire and layer.
    public var parametersPerWire: Int { self == .ry ? 1 : 3 }
}

/// The shape of a VQC: encoding, `depth` variational layers, each with its entangling pattern
/// repeated `entanglingRepetitions` times (TQ42's `n_qlayers`) and one rotation layer.
public struct Ansatz: Sendable, Hashable, Codable {
    /// TQ42's ranges: depth 1-30, n_qlayers 1-5.
    public static let depthRange = 1...30
    public static let entanglingRepetitionsRange = 1...5

    public var encoding: Encoding
    public var entangler: EntanglingPattern
    public var rotations: RotationLayer
    public var depth: Int
    public var entanglingRepetitions: Int

    public init(
        encoding: Encoding = .paper,
        entangler: EntanglingPattern = .brick,
        rotations: RotationLayer = .ry,
        depth: Int = 5,
        entanglingRepetitions: Int = 1
    ) {
        self.encoding = encoding
        self.entangler = entangler
        self.rotations = rotations
        self.depth = depth
        self.entanglingRepetitions = entanglingRepetitions
    }

    /// The paper's gate circuit: encoding `paper`, `brick` CNOTs, RY rotations, depth 5.
    public static let paper = Ansatz()

    /// Trainable parameters of one circuit of `qubitCount` qubits.
    public func parameterCount(qubitCount: Int) -> Int {
        depth * qubitCount * rotations.parametersPerWire
    }
}
