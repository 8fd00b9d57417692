import VariationalCircuits

// The one-byte codes of the circuit enums. They are spelled out here, not derived from case order
// or raw strings, so that reordering or renaming a case in VariationalCircuits cannot change the
// wire; the golden-bytes tests fail if a code moves.

extension Encoding {
    var wireCode: UInt8 {
        switch self {
        case .paper: 0
        case .arctan: 1
        case .angleX: 2
        case .angleY: 3
        case .iqp: 4
        }
    }

    init?(wireCode: UInt8) {
        switch wireCode {
        case 0: self = .paper
        case 1: self = .arctan
        case 2: self = .angleX
        case 3: self = .angleY
        case 4: self = .iqp
        default: return nil
        }
    }
}

extension EntanglingPattern {
    var wireCode: UInt8 {
        switch self {
        case .brick: 0
        case .ring: 1
        case .stronglyEntangling: 2
        case .hardwareEfficient: 3
        }
    }

    init?(wireCode: UInt8) {
        switch wireCode {
        case 0: self = .brick
        case 1: self = .ring
        case 2: self = .stronglyEntangling
        case 3: self = .hardwareEfficient
        default: return nil
        }
    }
}

extension RotationLayer {
    var wireCode: UInt8 {
        switch self {
        case .ry: 0
        case .xyz: 1
        case .rot: 2
        case .ryrz: 3
        }
    }

    init?(wireCode: UInt8) {
        switch wireCode {
        case 0: self = .ry
        case 1: self = .xyz
        case 2: self = .rot
        case 3: self = .ryrz
        default: return nil
        }
    }
}

extension DifferentiationMethod {
    var wireCode: UInt8 {
        switch self {
        case .parameterShift: 0
        case .adjoint: 1
        }
    }

    init?(wireCode: UInt8) {
        switch wireCode {
        case 0: self = .parameterShift
        case 1: self = .adjoint
        default: return nil
        }
    }
}
