import QuantumSimulator

/// Random concrete circuits over every gate the simulator has, from a seeded stream.
public func randomCircuit(qubits: Int, gateCount: Int, generator: inout SeededGenerator) -> Circuit {
    var gates: [Gate] = []
    func angle() -> Double { (generator.nextUnit() * 2 - 1) * Double.pi }
    for _ in 0..<gateCount {
        let w = Int(generator.next() % UInt64(qubits))
        var v = Int(generator.next() % UInt64(max(qubits - 1, 1)))
        if v >= w { v += 1 }
        let twoQubit = qubits > 1
        switch generator.next() % (twoQubit ? 16 : 13) {
        case 0: gates.append(.h(w))
        case 1: gates.append(.x(w))
        case 2: gates.append(.y(w))
        case 3: gates.append(.z(w))
        case 4: gates.append(.s(w))
        case 5: gates.append(.sdg(w))
        case 6: gates.append(.t(w))
        case 7: gates.append(.tdg(w))
        case 8: gates.append(.rx(w, angle()))
        case 9: gates.append(.ry(w, angle()))
        case 10: gates.append(.rz(w, angle()))
        case 11: gates.append(.rot(w, angle(), angle(), angle()))
        case 12: gates.append(.u(w, angle(), angle(), angle()))
        case 13: gates.append(.cnot(control: w, target: v))
        case 14: gates.append(.cz(w, v))
        default: gates.append(.swap(w, v))
        }
    }
    return try! Circuit(qubitCount: qubits, gates: gates)
}
