/// A concrete circuit: a qubit count and a list of gates with bound angles.
public struct Circuit: Sendable, Hashable {
    /// The largest state the emulator accepts: 2^25 amplitudes, 512 MiB of complex doubles.
    public static let qubitRange = 1...25

    public let qubitCount: Int
    public private(set) var gates: [Gate]

    /// Creates a circuit after checking the qubit count and every gate's wires.
    /// - Throws: `SimulatorError` naming the first offending gate.
    public init(qubitCount: Int, gates: [Gate] = []) throws(SimulatorError) {
        guard Self.qubitRange.contains(qubitCount) else {
            throw .qubitCountOutOfRange(qubitCount, range: Self.qubitRange)
        }
        self.qubitCount = qubitCount
        self.gates = []
        for gate in gates { try append(gate) }
    }

    /// Appends a gate after checking its wires.
    public mutating func append(_ gate: Gate) throws(SimulatorError) {
        let wires = gate.wires
        for w in wires where !(0..<qubitCount).contains(w) {
            throw .wireOutOfRange(wire: w, qubitCount: qubitCount, gate: gate.name)
        }
        if wires.count == 2 && wires[0] == wires[1] {
            throw .repeatedWire(wire: wires[0], gate: gate.name)
        }
        gates.append(gate)
    }
}
