import QuantumSimulator
for g in [Gate.h(0), .h(1), .h(2), .h(3), .ry(2, 0.5), .cnot(control: 0, target: 1), .cnot(control: 2, target: 3), .cnot(control: 1, target: 2)] {
  let c = try! Circuit(qubitCount: 4, gates: [g])
  var s = try! StateVector(qubitCount: 4)
  s.apply(.hadamard, to: 0); s.apply(.hadamard, to: 2)
  s.apply(g)
  print(g, s.expectationsZ())
}
print(try! StateVector(product: Array(repeating: Matrix2.hadamard, count: 4)).amplitudes)
