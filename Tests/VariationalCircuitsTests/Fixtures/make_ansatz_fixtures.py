#!/usr/bin/env python3
"""Writes ansatz-circuits.json: PennyLane's exact <Z_w> and Jacobians for the IQP encoding and the
hardware-efficient ansatz, which ReferenceAnsatzTests compares with qlstm's circuits to 1e-12.

Pinned versions (what made the committed file):
    Python 3.11.7, pennylane==0.45.1 (default.qubit, backprop through autograd 1.8.0), numpy==2.4.6

Run from the repository's root:
    python3 -m venv /tmp/peer-venv
    /tmp/peer-venv/bin/pip install pennylane==0.45.1 numpy==2.4.6
    /tmp/peer-venv/bin/python Tests/VariationalCircuitsTests/Fixtures/make_ansatz_fixtures.py

The IQP encoding is PennyLane's own qml.IQPEmbedding (default pattern: every pair of the input
wires, in itertools.combinations order; n_repeats repetitions), on the first k wires of n; wires
k...n-1 start in |0>, as they do when IQPEmbedding is given k wires of a larger device. The
hardware-efficient layer has no PennyLane template, so it is written out: RY(w[l][i][0]) then
RZ(w[l][i][1]) on every wire i, then CZ(0,1), CZ(1,2), ..., CZ(n-2,n-1). Other layers use
PennyLane's StronglyEntanglingLayers or the brick CNOTs of qlstm's docs/CIRCUITS.md.

Every case is seeded, so running the script again writes the same file.
"""

import json
import math
from pathlib import Path

import numpy
import pennylane as qml
from pennylane import numpy as pnp

# name, encoding, n_repeats, entangler, rotations, qubits, inputs, depth, measured wires, seed
CASES = [
    ("iqp-he-2q", "iqp", 1, "hardware-efficient", "ry-rz", 2, 2, 1, [0, 1], 11),
    ("iqp-he-3q-r2", "iqp", 2, "hardware-efficient", "ry-rz", 3, 3, 2, [0, 1, 2], 12),
    ("iqp-he-4q-r3", "iqp", 3, "hardware-efficient", "ry-rz", 4, 4, 3, [0, 1, 2], 13),
    ("iqp-he-5q-3in", "iqp", 1, "hardware-efficient", "ry-rz", 5, 3, 2, [0, 1, 2, 3, 4], 14),
    ("iqp-he-6q-r2", "iqp", 2, "hardware-efficient", "ry-rz", 6, 6, 1, [0, 1, 2, 3, 4], 15),
    ("iqp-strongly-3q-r2", "iqp", 2, "strongly-entangling", "rot", 3, 3, 2, [0, 1, 2], 16),
    ("iqp-brick-ry-4q", "iqp", 1, "brick", "ry", 4, 4, 3, [2, 0], 17),
    ("iqp-1in-2q-r3", "iqp", 3, "hardware-efficient", "ry-rz", 2, 1, 2, [0, 1], 18),
    ("angle-y-he-3q", "angle-y", 1, "hardware-efficient", "ry-rz", 3, 3, 3, [0, 1, 2], 21),
    ("paper-he-4q", "paper", 1, "hardware-efficient", "ry-rz", 4, 4, 2, [0, 1, 2, 3], 22),
    ("paper-he-ry-5q", "paper", 1, "hardware-efficient", "ry", 5, 5, 2, [0, 1, 2, 3, 4], 23),
    ("angle-x-he-6q", "angle-x", 1, "hardware-efficient", "ry-rz", 6, 5, 1, [0, 3, 5], 24),
]

ANGLES_PER_WIRE = {"ry": 1, "ry-rz": 2, "rot": 3}


def encode(encoding, n_repeats, x, qubits):
    k = len(x)
    if encoding == "iqp":
        qml.IQPEmbedding(x, wires=range(k), n_repeats=n_repeats)
    elif encoding == "paper":
        for wire in range(qubits):
            qml.Hadamard(wires=wire)
            if wire < k:
                qml.RY(x[wire], wires=wire)
    elif encoding == "angle-y":
        qml.AngleEmbedding(x, wires=range(k), rotation="Y")
    elif encoding == "angle-x":
        qml.AngleEmbedding(x, wires=range(k), rotation="X")
    else:
        raise ValueError(encoding)


def layers(entangler, rotations, w, qubits):
    if entangler == "strongly-entangling":
        qml.StronglyEntanglingLayers(w, wires=range(qubits))
        return
    for layer in w:
        if entangler == "brick":
            pairs = [(i, i + 1) for i in range(0, qubits - 1, 2)] + [(i, i + 1) for i in range(1, qubits - 1, 2)]
            for control, target in pairs:
                qml.CNOT(wires=[control, target])
            for wire in range(qubits):
                qml.RY(layer[wire][0], wires=wire)
        elif entangler == "hardware-efficient":
            for wire in range(qubits):
                qml.RY(layer[wire][0], wires=wire)
                if rotations == "ry-rz":
                    qml.RZ(layer[wire][1], wires=wire)
            for wire in range(qubits - 1):
                qml.CZ(wires=[wire, wire + 1])
        else:
            raise ValueError(entangler)


def make_case(name, encoding, n_repeats, entangler, rotations, qubits, inputs, depth, measured, seed):
    generator = numpy.random.default_rng(seed)
    x = generator.uniform(-math.pi / 2, math.pi / 2, size=inputs)
    w = generator.uniform(-math.pi, math.pi, size=(depth, qubits, ANGLES_PER_WIRE[rotations]))
    device = qml.device("default.qubit", wires=qubits)

    @qml.qnode(device, diff_method="backprop", interface="autograd")
    def circuit(features, weights):
        encode(encoding, n_repeats, features, qubits)
        layers(entangler, rotations, weights, qubits)
        return [qml.expval(qml.PauliZ(wire)) for wire in measured]

    def outputs(features, weights):
        return qml.math.stack(circuit(features, weights))

    features = pnp.array(x, requires_grad=True)
    weights = pnp.array(w, requires_grad=True)
    values = outputs(features, weights)
    jacobian_inputs, jacobian_weights = qml.jacobian(outputs, argnums=[0, 1])(features, weights)
    return {
        "name": name,
        "encoding": encoding,
        "n_repeats": n_repeats,
        "entangler": entangler,
        "rotations": rotations,
        "qubits": qubits,
        "depth": depth,
        "measured": measured,
        "inputs": [float(v) for v in x],
        "weights": [float(v) for v in w.reshape(-1)],
        "expectations": [float(v) for v in values],
        "jacobian_inputs": [[float(v) for v in row] for row in numpy.asarray(jacobian_inputs)],
        "jacobian_weights": [
            [float(v) for v in row] for row in numpy.asarray(jacobian_weights).reshape(len(measured), -1)
        ],
    }


def main():
    cases = [make_case(*case) for case in CASES]
    document = {
        "source": f"PennyLane {qml.__version__} default.qubit, backprop (autograd), float64, numpy {numpy.__version__};"
        " weights flattened row-major over (depth, qubits, angles per wire); rows of each Jacobian are the measured wires",
        "generator": "Tests/VariationalCircuitsTests/Fixtures/make_ansatz_fixtures.py",
        "cases": cases,
    }
    path = Path(__file__).with_name("ansatz-circuits.json")
    path.write_text(json.dumps(document, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
