#!/usr/bin/env python3
"""Checks that Qiskit's OpenQASM 3 importer loads `qlstm export` files and agrees with qlstm.

For each model below it trains one epoch, exports it, loads every sub-VQC's file with
qiskit.qasm3.loads, binds seeded random features through the inputs weights.json names
(x_i, or arctan(x_i) and arctan(x_i^2) for the arctan encoding; the iqp encoding's ZZ angles
are products x_i * x_j the importer resolves itself), and compares <Z> of each
measured wire from Qiskit's Statevector with `qlstm simulate FILE --input ... --json`.

The integration tests cannot run Python, so this is run by hand (docs/BENCHMARKS.md has the
last result):

    python3 -m venv /tmp/qiskit-venv
    /tmp/qiskit-venv/bin/pip install qiskit==2.6.2 qiskit-qasm3-import==0.6.0
    swift build -c release --product qlstm
    /tmp/qiskit-venv/bin/python docs/peers/check_exports.py .build/release/qlstm

Exit status 0 when every file loads and agrees to 1e-9, 1 otherwise.
"""

import json
import math
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import qiskit
import qiskit_qasm3_import
from qiskit import qasm3
from qiskit.quantum_info import Statevector

MODELS = {
    "arctan-ring-rot-2x3": ["--encoding", "arctan", "--ansatz", "ring", "--rotations", "rot",
                            "--n-qubits", "3", "--partitions", "2", "--depth", "2"],
    "arctan-ring-ry-3x2": ["--encoding", "arctan", "--ansatz", "ring", "--n-qubits", "2",
                           "--partitions", "3", "--depth", "1"],
    "arctan-strongly-xyz-4q": ["--encoding", "arctan", "--ansatz", "strongly-entangling",
                               "--rotations", "xyz", "--hidden-size", "3", "--depth", "2"],
    "arctan-brick-projection": ["--encoding", "arctan", "--projection", "--n-qubits", "3", "--depth", "2"],
    "paper-brick-ry-6q": ["--hidden-size", "5", "--depth", "5"],
    "angle-x-ring-2x3": ["--encoding", "angle-x", "--ansatz", "ring", "--n-qubits", "3",
                         "--partitions", "2", "--depth", "2"],
    "iqp-hardware-efficient-4q": ["--encoding", "iqp", "--n-repeats", "2", "--ansatz", "hardware-efficient",
                                  "--hidden-size", "3", "--depth", "2"],
    "iqp-strongly-chen2020-2x3": ["--encoding", "iqp", "--ansatz", "strongly-entangling", "--rotations", "rot",
                                  "--n-qubits", "3", "--partitions", "2", "--depth", "1",
                                  "--architecture", "chen2020"],
    "paper-hardware-efficient-chen2020": ["--ansatz", "hardware-efficient", "--architecture", "chen2020",
                                          "--hidden-size", "2", "--depth", "3"],
}

FUNCTIONS = {
    "x": lambda x: x,
    "arctan(x)": math.atan,
    "arctan(x^2)": lambda x: math.atan(x * x),
}


def function_of(description: str, feature: int):
    """The function weights.json describes, such as `arctan(x0^2)` for feature 0."""
    generic = description.replace(f"x{feature}", "x")
    return FUNCTIONS[generic]


def z_expectations(circuit, measured):
    state = Statevector(circuit)
    n = circuit.num_qubits
    values = []
    for wire in measured:
        label = ["I"] * n
        label[n - 1 - wire] = "Z"  # Qiskit's Pauli labels put qubit 0 rightmost
        values.append(state.expectation_value(qiskit.quantum_info.Pauli("".join(label))).real)
    return values


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    qlstm = str(Path(sys.argv[1]).resolve())
    generator = random.Random(2025)
    worst = 0.0
    files = 0
    failures = []
    with tempfile.TemporaryDirectory() as work:
        for name, options in MODELS.items():
            run = Path(work) / f"run-{name}"
            export = Path(work) / f"export-{name}"
            subprocess.run([qlstm, "train", *options, "--epochs", "1", "--quiet", "--out", str(run)],
                           check=True, stdout=subprocess.DEVNULL)
            subprocess.run([qlstm, "export", "--model", str(run), "--out", str(export)],
                           check=True, stdout=subprocess.DEVNULL)
            weights = json.loads((export / "weights.json").read_text())
            for entry in weights["circuits"]:
                path = export / entry["file"]
                try:
                    circuit = qasm3.loads(path.read_text())
                except Exception as error:  # the importer's errors have no common base class
                    failures.append(f"{name}/{entry['file']}: Qiskit cannot load it: {error}")
                    continue
                circuit.remove_final_measurements()
                features = [generator.uniform(-1.5, 1.5) for _ in range(entry["inputs"])]
                values = {
                    item["name"]: function_of(item["function"], item["feature"])(features[item["feature"]])
                    for item in entry["angleInputs"]
                }
                bound = circuit.assign_parameters({p: values[p.name] for p in circuit.parameters})
                ours = z_expectations(bound, entry["measuredWires"])
                arguments = [argument for key, value in values.items() for argument in ("--input", f"{key}={value!r}")]
                simulated = json.loads(subprocess.run([qlstm, "simulate", str(path), *arguments, "--json"],
                                                      check=True, capture_output=True, text=True).stdout)
                theirs = [simulated["expectations_z"][wire] for wire in entry["measuredWires"]]
                difference = max(abs(a - b) for a, b in zip(ours, theirs))
                worst = max(worst, difference)
                files += 1
                if difference > 1e-9:
                    failures.append(f"{name}/{entry['file']}: <Z> differs by {difference:.3g}")
    print(f"qiskit {qiskit.__version__}, qiskit-qasm3-import {qiskit_qasm3_import.__version__}: "
          f"{files} files loaded and simulated from {len(MODELS)} models; "
          f"largest <Z> difference from qlstm simulate {worst:.2e}")
    for failure in failures:
        print("FAILED:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
