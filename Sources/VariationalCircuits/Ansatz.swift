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
    /// PennyLane's IQPEmbedding (the ZZ feature map) on the input wires, with its default
    /// pattern: per repetition H and RZ(x_i) on each input wire i, then MultiRZ(x_i x_j) =
    /// exp(-i x_i x_j Z_i Z_j / 2) on every pair i < j of input wires, in lexicographic order.
    case iqp
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
    /// The hardware-efficient layer (Kandala et al. 2017): rotations first, then a ladder of CZ
    /// on (0,1), (1,2), ..., (n-2,n-1), the nearest-neighbour gate of most superconducting chips.
    case hardwareEfficient = "hardware-efficient"
}

/// The trainable single-qubit layer.
public enum RotationLayer: String, Sendable, Hashable, Codable, CaseIterable {
    /// RY(theta) on every wire (the paper): one parameter per wire.
    case ry
    /// RX, RY, RZ on every wire: three parameters per wire.
    case xyz
    /// Rot(a, b, c) = RZ(c) RY(b) RZ(a) on every wire: three parameters per wire.
    case rot
    /// RY then RZ on every wire (the hardware-efficient layer's): two parameters per wire.
    case ryrz = "ry-rz"

    /// Trainable angles per wire and layer.
    public var parametersPerWire: Int {
        switch self {
        case .ry: 1
        case .ryrz: 2
        case .xyz, .rot: 3
        }
    }
}

/// The shape of a VQC: encoding (repeated `encodingRepetitions` times for IQP), `depth`
/// variational layers, each with its entangling pattern repeated `entanglingRepetitions` times
/// (TQ42's `n_qlayers`) and one rotation layer.
public struct Ansatz: Sendable, Hashable, Codable {
    /// TQ42's ranges: depth 1-30, n_qlayers 1-5.
    public static let depthRange = 1...30
    public static let entanglingRepetitionsRange = 1...5
    /// IQPEmbedding's `n_repeats`.
    public static let encodingRepetitionsRange = 1...10

    public var encoding: Encoding
    public var entangler: EntanglingPattern
    public var rotations: RotationLayer
    public var depth: Int
    public var entanglingRepetitions: Int
    /// IQPEmbedding's `n_repeats`: how many times the whole IQP encoding is applied (1 for
    /// every other encoding).
    public var encodingRepetitions: Int

    public init(
        encoding: Encoding = .paper,
        entangler: EntanglingPattern = .brick,
        rotations: RotationLayer = .ry,
        depth: Int = 5,
        entanglingRepetitions: Int = 1,
        encodingRepetitions: Int = 1
    ) {
        self.encoding = encoding
        self.entangler = entangler
        self.rotations = rotations
        self.depth = depth
        self.entanglingRepetitions = entanglingRepetitions
        self.encodingRepetitions = encodingRepetitions
    }

    /// The paper's gate circuit: encoding `paper`, `brick` CNOTs, RY rotations, depth 5.
    public static let paper = Ansatz()

    /// Trainable parameters of one circuit of `qubitCount` qubits.
    public func parameterCount(qubitCount: Int) -> Int {
        depth * qubitCount * rotations.parametersPerWire
    }
}

extension Ansatz {
    private enum CodingKeys: String, CodingKey {
        case encoding, entangler, rotations, depth, entanglingRepetitions, encodingRepetitions
    }

    /// Decodes an ansatz; files written before IQP existed have no `encodingRepetitions` (1).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            encoding: try container.decode(Encoding.self, forKey: .encoding),
            entangler: try container.decode(EntanglingPattern.self, forKey: .entangler),
            rotations: try container.decode(RotationLayer.self, forKey: .rotations),
            depth: try container.decode(Int.self, forKey: .depth),
            entanglingRepetitions: try container.decode(Int.self, forKey: .entanglingRepetitions),
            encodingRepetitions: try container.decodeIfPresent(Int.self, forKey: .encodingRepetitions) ?? 1
        )
    }
}
