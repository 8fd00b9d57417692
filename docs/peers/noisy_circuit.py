"""The paper's noisy 6-qubit circuit on PennyLane default.mixed, Qiskit Aer and qlstm, timed in one run.

Run it by hand from the repository root (not run by CI), in one command:

    swift build -c release --product qlstm && python3.11 -m venv /tmp/qlstm-peers \
      && /tmp/qlstm-peers/bin/pip install -r docs/peers/requirements.txt \
      && /tmp/qlstm-peers/bin/python docs/peers/noisy_circuit.py

(with the venv and the binary already there, the last part alone). Progress goes to stderr; stdout
gets one JSON object with every figure, the ratios ours/peer, the versions and the load average.
Options: --seconds S (minimum measuring time per figure, as `qlstm bench --seconds`; default 1),
--seed N (the check point and the timed inputs; default 2025), --qlstm PATH (default
.build/release/qlstm), --skip-pennylane-jacobians (the slowest figure: about a minute per Jacobian).

The circuit (REFERENCE.md, the paper's gate circuit; `qlstm bench --suite sim`'s
`noisy_paper_circuit_*`): 6 qubits, H then RY(x_i) on each wire, then depth 5 of [CNOT (0,1),
(2,3), (4,5) then (1,2), (3,4); RY(theta) on every wire], <Z_0..Z_4> measured; 6 inputs, 30 weights
(row-major [layer][wire]). Noise: the "all" model of
Tests/VariationalCircuitsTests/Fixtures/noisy-circuits.json (p1 0.002, p2 0.02, T1 20 us, T2 15 us,
50 ns and 300 ns gates, readout e0 0.015, e1 0.03), inserted gate by gate as REFERENCE.md "Noise
channels" says: after every gate (H too), on the wires it acted on, depolarising (p1 after a 1-qubit
gate, p2 over the 15 two-qubit Pauli words after a CNOT), then amplitude damping gamma = 1 -
exp(-t/T1), then phase damping lambda = 1 - exp(-2t/T_phi), 1/T_phi = 1/T2 - 1/(2 T1), on each wire.

- PennyLane default.mixed: qml.DepolarizingChannel(p1); the 2-qubit depolariser as qml.QubitChannel
  with its 16 Kraus operators sqrt(1-p2) II, sqrt(p2/15) P; qml.AmplitudeDamping, qml.PhaseDamping.
- Qiskit Aer: AerSimulator(method="density_matrix") with a NoiseModel on h, ry and cx:
  depolarizing_error(4 p1/3, 1) and depolarizing_error(16 p2/15, 2) (Qiskit's lambda: p1 = 3 lam/4,
  p2 = 15 lam/16), each composed with amplitude_damping_error(gamma) then phase_damping_error(lambda)
  (tensored over both wires after a CNOT). save_probabilities gives the exact diagonal of the final
  density matrix, from which <Z_k> = sum_i p_i (1 - 2 bit_k(i)).
- qlstm: `qlstm simulate FILE.qasm --profile PROFILE.json --json` (exact density matrix, "shots":
  null) for the check, `qlstm bench --suite sim --json` for the figures.
Readout, for all three: the linear formula on exact expectations, <Z>_read = (1 - e0 - e1) <Z> +
(e1 - e0) (what qlstm does with exact expectations; one multiply-add, so it costs the peers nothing).

What is timed, one thread for everyone (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, MKL_NUM_THREADS,
NUMEXPR_NUM_THREADS and RAYON_NUM_THREADS are 1 before numpy loads; Aer gets max_parallel_threads=1;
qlstm's noisy figures run on one thread by construction): evaluations (the 5 readout-corrected <Z>)
and parameter-shift Jacobians (the 5 outputs plus the derivatives with respect to all 30 weights and
all 6 inputs: 72 shifted circuits, since each angle sits in one RY) over 256 random inputs (uniform
in [-1, 1)) with Gaussian weights, as `qlstm bench` does. Each rate is the best of three windows of
at least seconds/3 (and at least one call), the same stopwatch as `qlstm bench`.
- `pennylane_evals_per_s`: one QNode call per input (numpy interface, no autograd);
  `pennylane_broadcast16_evals_per_s`: 16 inputs per call through parameter broadcasting.
- `pennylane_ps_jacobians_per_s`: one forward call plus qml.gradients.param_shift(qnode)(x, w) with
  both x and w trainable (the transform runs the 72 shifted tapes without autograd's overhead, which
  makes it faster than qml.jacobian on a parameter-shift QNode).
- `aer_evals_per_s`: one sim.run per input (bound circuit); `aer_batched_evals_per_s`: 256 inputs in
  one sim.run through parameter_binds; `aer_ps_jacobians_per_s`: the same 73 circuits (unshifted plus
  72 shifted) in one sim.run through parameter_binds (Aer has no gradient of its own).
- ours: `noisy_paper_circuit_evals_per_s`, `noisy_paper_circuit_ps_jacobians_per_s` of the bench.

Before timing, it checks at one random point that PennyLane, Aer and qlstm agree on all six <Z>
to 1e-10, that PennyLane's and Aer's parameter-shift Jacobians agree to 1e-10, and that PennyLane
and Aer reproduce the fixture's 6-qubit "all" case; it exits 1 if any check fails.
"""

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                  "RAYON_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from importlib import metadata  # noqa: E402

import numpy as np  # noqa: E402
import pennylane as qml  # noqa: E402
from pennylane import numpy as pnp  # noqa: E402
from qiskit import QuantumCircuit  # noqa: E402
from qiskit.circuit import ParameterVector  # noqa: E402
from qiskit_aer import AerSimulator  # noqa: E402
from qiskit_aer.noise import (  # noqa: E402
    NoiseModel,
    amplitude_damping_error,
    depolarizing_error,
    phase_damping_error,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(ROOT, "Tests", "VariationalCircuitsTests", "Fixtures", "noisy-circuits.json")

QUBITS, DEPTH, MEASURED = 6, 5, 5
PAIRS = [(0, 1), (2, 3), (4, 5), (1, 2), (3, 4)]
# The fixture's "all" noise model.
NOISE = {"p1": 0.002, "p2": 0.02, "T1": 2e-5, "T2": 1.5e-5, "t1q": 5e-8, "t2q": 3e-7, "e0": 0.015, "e1": 0.03}
TOLERANCE = 1e-10


def log(message):
    print(message, file=sys.stderr, flush=True)


def relaxation(t, noise):
    """Amplitude damping gamma and phase damping lambda for a gate lasting t (REFERENCE.md)."""
    t_phi = 1 / (1 / noise["T2"] - 1 / (2 * noise["T1"]))
    return 1 - np.exp(-t / noise["T1"]), 1 - np.exp(-2 * t / t_phi)


def readout(z, noise):
    return (1 - noise["e0"] - noise["e1"]) * z + (noise["e1"] - noise["e0"])


def readout_slope(noise):
    return 1 - noise["e0"] - noise["e1"]


class PennyLanePeer:
    """The circuit on default.mixed with every channel inserted by hand after every gate."""

    def __init__(self, noise):
        self.noise = noise
        self.g1, self.l1 = relaxation(noise["t1q"], noise)
        self.g2, self.l2 = relaxation(noise["t2q"], noise)
        paulis = [np.eye(2), np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.diag([1, -1])]
        p2 = noise["p2"]
        kraus = [np.sqrt(1 - p2) * np.eye(4)]
        kraus += [np.sqrt(p2 / 15) * np.kron(a, b) for i, a in enumerate(paulis) for j, b in enumerate(paulis)
                  if (i, j) != (0, 0)]
        self.kraus2 = np.array(kraus, dtype=complex)
        self.device = qml.device("default.mixed", wires=QUBITS)
        self.qnode = qml.QNode(self._circuit, self.device, diff_method="parameter-shift")

    def _after_1q(self, wire):
        qml.DepolarizingChannel(self.noise["p1"], wires=wire)
        qml.AmplitudeDamping(self.g1, wires=wire)
        qml.PhaseDamping(self.l1, wires=wire)

    def _after_cnot(self, a, b):
        qml.QubitChannel(self.kraus2, wires=[a, b])
        for wire in (a, b):
            qml.AmplitudeDamping(self.g2, wires=wire)
            qml.PhaseDamping(self.l2, wires=wire)

    def _circuit(self, x, w, measured):
        for i in range(QUBITS):
            qml.Hadamard(wires=i)
            self._after_1q(i)
            qml.RY(x[i], wires=i)
            self._after_1q(i)
        for layer in range(DEPTH):
            for a, b in PAIRS:
                qml.CNOT(wires=[a, b])
                self._after_cnot(a, b)
            for i in range(QUBITS):
                qml.RY(w[layer, i], wires=i)
                self._after_1q(i)
        return [qml.expval(qml.PauliZ(i)) for i in range(measured)]

    def evaluate(self, x, w, measured=MEASURED):
        """Readout-corrected <Z_0..Z_{measured-1}>; x may be (6,) or (6, batch) (broadcasting)."""
        return readout(np.array(self.qnode(np.asarray(x), np.asarray(w), measured)), self.noise)

    def jacobian(self, x, w):
        """Outputs (5,) and d outputs / d (x, w) as a (5, 36) matrix, by parameter shift."""
        values = self.evaluate(x, w)
        xt = pnp.array(x, requires_grad=True)
        wt = pnp.array(w, requires_grad=True)
        rows = qml.gradients.param_shift(self.qnode)(xt, wt, MEASURED)
        matrix = np.array([np.concatenate([np.ravel(dx), np.ravel(dw)]) for dx, dw in rows])
        return values, readout_slope(self.noise) * matrix


class AerPeer:
    """The circuit on Aer's density-matrix method with a gate-by-gate NoiseModel."""

    def __init__(self, noise):
        self.noise = noise
        g1, l1 = relaxation(noise["t1q"], noise)
        g2, l2 = relaxation(noise["t2q"], noise)
        relax1 = amplitude_damping_error(g1).compose(phase_damping_error(l1))  # a.compose(b): a, then b
        relax2 = amplitude_damping_error(g2).compose(phase_damping_error(l2))
        error1 = depolarizing_error(4 * noise["p1"] / 3, 1).compose(relax1)
        error2 = depolarizing_error(16 * noise["p2"] / 15, 2).compose(relax2.tensor(relax2))
        model = NoiseModel(basis_gates=["h", "ry", "cx"])
        model.add_all_qubit_quantum_error(error1, ["h", "ry"])
        model.add_all_qubit_quantum_error(error2, ["cx"])
        self.simulator = AerSimulator(
            method="density_matrix",
            noise_model=model,
            max_parallel_threads=1,
            max_parallel_experiments=1,
            max_parallel_shots=1,
        )
        self.x = ParameterVector("x", QUBITS)
        self.w = ParameterVector("w", DEPTH * QUBITS)
        circuit = QuantumCircuit(QUBITS)
        for i in range(QUBITS):
            circuit.h(i)
            circuit.ry(self.x[i], i)
        for layer in range(DEPTH):
            for a, b in PAIRS:
                circuit.cx(a, b)
            for i in range(QUBITS):
                circuit.ry(self.w[layer * QUBITS + i], i)
        circuit.save_probabilities()
        self.circuit = circuit
        self.parameters = list(self.x) + list(self.w)  # our order: inputs, then weights row-major
        self.signs = np.array([1 - 2 * ((np.arange(2**QUBITS) >> k) & 1) for k in range(QUBITS)])

    def _expectations(self, result, index, measured):
        probabilities = np.asarray(result.data(index)["probabilities"])  # qubit k is bit k (little-endian)
        return readout(self.signs[:measured] @ probabilities, self.noise)

    def evaluate(self, x, w, measured=MEASURED):
        """One input: the circuit bound and run on its own."""
        values = np.concatenate([np.ravel(x), np.ravel(w)])
        bound = self.circuit.assign_parameters(dict(zip(self.parameters, values)))
        return self._expectations(self.simulator.run(bound).result(), 0, measured)

    def evaluate_batch(self, rows, measured=MEASURED):
        """Rows of [x..., w...] in one run through parameter_binds: a (len(rows), measured) array."""
        rows = np.asarray(rows)
        binds = {p: rows[:, k].tolist() for k, p in enumerate(self.parameters)}
        result = self.simulator.run(self.circuit, parameter_binds=[binds]).result()
        return np.array([self._expectations(result, i, measured) for i in range(len(rows))])

    def jacobian(self, x, w):
        """Outputs (5,) and the (5, 36) parameter-shift Jacobian, 73 circuits in one run."""
        base = np.concatenate([np.ravel(x), np.ravel(w)])
        count = len(base)
        rows = [base]
        for k in range(count):
            for sign in (1, -1):
                row = base.copy()
                row[k] += sign * np.pi / 2
                rows.append(row)
        values = self.evaluate_batch(rows)
        return values[0], ((values[1::2] - values[2::2]) / 2).T


def run_qlstm_simulate(binary, x, w, noise, directory):
    """<Z> of all six wires from `qlstm simulate` with a profile of the fixture's noise."""
    lines = ["OPENQASM 3.0;", 'include "stdgates.inc";', f"qubit[{QUBITS}] q;"]
    for i in range(QUBITS):
        lines += [f"h q[{i}];", f"ry({float(x[i])!r}) q[{i}];"]
    for layer in range(DEPTH):
        lines += [f"cx q[{a}], q[{b}];" for a, b in PAIRS]
        lines += [f"ry({float(w[layer, i])!r}) q[{i}];" for i in range(QUBITS)]
    qasm = os.path.join(directory, "noisy_paper_circuit.qasm")
    with open(qasm, "w") as file:
        file.write("\n".join(lines) + "\n")
    profile = {
        "name": "peer-check-all",
        "qubits": QUBITS,
        "gate_error_1q": noise["p1"],
        "gate_error_2q": noise["p2"],
        "t1_seconds": noise["T1"],
        "t2_seconds": noise["T2"],
        "gate_seconds_1q": noise["t1q"],
        "gate_seconds_2q": noise["t2q"],
        "readout_error_0to1": noise["e0"],
        "readout_error_1to0": noise["e1"],
        "shots": None,
        "job_seconds": 0,
        "shot_seconds": 0,
        "source": "docs/peers/noisy_circuit.py: the noisy fixture's 'all' model",
    }
    profile_path = os.path.join(directory, "profile.json")
    with open(profile_path, "w") as file:
        json.dump(profile, file)
    output = subprocess.run(
        [binary, "simulate", qasm, "--profile", profile_path, "--json"],
        check=True, capture_output=True, text=True,
    ).stdout
    answer = json.loads(output)
    if answer.get("method") != "exact density matrix":
        raise SystemExit(f"qlstm simulate used {answer.get('method')!r}, expected the exact density matrix")
    return np.array(answer["expectations_z"])


def rate(body, seconds):
    """Operations per second of body(n) (n operations): best of three windows >= seconds/3, as qlstm bench."""
    best = 0.0
    for _ in range(3):
        n = 1
        while True:
            start = time.perf_counter()
            body(n)
            elapsed = time.perf_counter() - start
            if elapsed >= seconds / 3:
                best = max(best, n / elapsed)
                break
            n = max(n * 2, int(n * seconds / 3 / elapsed * 1.1)) if elapsed > 0 else n * 2
    return best


def check(name, a, b, failures, tolerance=TOLERANCE):
    difference = float(np.max(np.abs(np.asarray(a) - np.asarray(b))))
    verdict = "ok" if difference <= tolerance else "FAILED"
    log(f"  {name}: max |difference| {difference:.3e} ({verdict}, tolerance {tolerance:g})")
    if difference > tolerance:
        failures.append(name)
    return difference


def versions():
    names = ["pennylane", "pennylane-lightning", "qiskit", "qiskit-aer", "numpy", "scipy", "autograd"]
    found = {name: metadata.version(name) for name in names}
    found["python"] = platform.python_version()
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="minimum measuring time per figure")
    parser.add_argument("--seed", type=int, default=2025, help="seed of the check point and the timed inputs")
    parser.add_argument("--qlstm", default=os.path.join(ROOT, ".build", "release", "qlstm"))
    parser.add_argument("--skip-pennylane-jacobians", action="store_true",
                        help="skip timing PennyLane's parameter-shift Jacobians (about a minute each)")
    options = parser.parse_args()
    if not os.access(options.qlstm, os.X_OK):
        raise SystemExit(f"{options.qlstm}: not found; run `swift build -c release --product qlstm` first")

    figures = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "load_average_start": [round(v, 2) for v in os.getloadavg()],
        "cpus": os.cpu_count(),
        "threads": 1,
        "seconds": options.seconds,
        "seed": options.seed,
        "versions": versions(),
    }
    try:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        figures["qlstm_commit"] = commit
    except (OSError, subprocess.CalledProcessError):
        pass

    pennylane = PennyLanePeer(NOISE)
    aer = AerPeer(NOISE)
    generator = np.random.default_rng(options.seed)

    # 1. Agreement.
    failures = []
    agreement = {}
    log("checking agreement (fixture point, then a random point)")
    with open(FIXTURE) as file:
        case = next(c for c in json.load(file)["cases"]
                    if c["qubits"] == QUBITS and c["depth"] == DEPTH and c["noise_name"] == "all")
    assert case["noise"] == NOISE, case["noise"]
    fx, fw = np.array(case["inputs"]), np.reshape(case["weights"], (DEPTH, QUBITS))
    agreement["pennylane_vs_fixture"] = check("PennyLane vs fixture <Z>", pennylane.evaluate(fx, fw),
                                              case["expectations"], failures)
    agreement["aer_vs_fixture"] = check("Aer vs fixture <Z>", aer.evaluate(fx, fw), case["expectations"], failures)

    x = generator.uniform(-1, 1, QUBITS)
    w = generator.normal(size=(DEPTH, QUBITS))
    z_pennylane = pennylane.evaluate(x, w, measured=QUBITS)
    z_aer = aer.evaluate(x, w, measured=QUBITS)
    z_aer_batch = aer.evaluate_batch([np.concatenate([x, np.ravel(w)])], measured=QUBITS)[0]
    with tempfile.TemporaryDirectory(prefix="qlstm-peers-") as directory:
        z_ours = run_qlstm_simulate(options.qlstm, x, w, NOISE, directory)
    log(f"  <Z_0..Z_5> (qlstm simulate): {np.array2string(z_ours, precision=12)}")
    agreement["pennylane_vs_aer"] = check("PennyLane vs Aer <Z>", z_pennylane, z_aer, failures)
    agreement["aer_bound_vs_aer_parameter_binds"] = check("Aer bound vs parameter_binds <Z>", z_aer, z_aer_batch,
                                                         failures)
    agreement["qlstm_vs_pennylane"] = check("qlstm simulate vs PennyLane <Z>", z_ours, z_pennylane, failures)
    agreement["qlstm_vs_aer"] = check("qlstm simulate vs Aer <Z>", z_ours, z_aer, failures)
    log("  parameter-shift Jacobians (PennyLane takes about a minute)")
    start = time.perf_counter()
    values_pennylane, jacobian_pennylane = pennylane.jacobian(x, w)
    first_jacobian_seconds = time.perf_counter() - start
    values_aer, jacobian_aer = aer.jacobian(x, w)
    agreement["pennylane_vs_aer_jacobian"] = check("PennyLane vs Aer Jacobian (5 x 36)", jacobian_pennylane,
                                                   jacobian_aer, failures)
    agreement["pennylane_vs_aer_jacobian_outputs"] = check("PennyLane vs Aer Jacobian outputs", values_pennylane,
                                                           values_aer, failures)
    figures["agreement_max_abs_difference"] = agreement
    figures["check_point"] = {"inputs": x.tolist(), "weights": w.ravel().tolist(), "expectations_z": z_ours.tolist()}
    if failures:
        print(json.dumps(figures, indent=2))
        raise SystemExit(f"disagreement: {', '.join(failures)}")

    # 2. Timing: 256 inputs, Gaussian weights, as qlstm bench.
    inputs = generator.uniform(-1, 1, (256, QUBITS))
    weights = generator.normal(size=(DEPTH, QUBITS))
    rows = np.hstack([inputs, np.tile(weights.ravel(), (len(inputs), 1))])

    def cycle(function):
        def body(n):
            for i in range(n):
                function(inputs[i % len(inputs)])
        return body

    log("timing PennyLane default.mixed evaluations")
    figures["pennylane_evals_per_s"] = rate(cycle(lambda v: pennylane.evaluate(v, weights)), options.seconds)
    log(f"  {figures['pennylane_evals_per_s']:.3f}/s")
    broadcast = 16

    def pennylane_broadcast(n):
        for i in range(n):
            start = i * broadcast % len(inputs)
            pennylane.evaluate(inputs[start:start + broadcast].T, weights)

    log(f"timing PennyLane default.mixed broadcasting ({broadcast} inputs per call)")
    figures[f"pennylane_broadcast{broadcast}_evals_per_s"] = rate(pennylane_broadcast, options.seconds) * broadcast
    log(f"  {figures[f'pennylane_broadcast{broadcast}_evals_per_s']:.3f}/s")
    if options.skip_pennylane_jacobians:
        figures["pennylane_first_ps_jacobian_seconds"] = round(first_jacobian_seconds, 2)
        log("skipping PennyLane Jacobians (the check's one took "
            f"{first_jacobian_seconds:.1f} s, recorded as pennylane_first_ps_jacobian_seconds)")
    else:
        log("timing PennyLane default.mixed parameter-shift Jacobians (three windows of one or more)")
        figures["pennylane_ps_jacobians_per_s"] = rate(cycle(lambda v: pennylane.jacobian(v, weights)),
                                                       options.seconds)
        log(f"  {figures['pennylane_ps_jacobians_per_s']:.5f}/s")

    log("timing Qiskit Aer density-matrix evaluations")
    figures["aer_evals_per_s"] = rate(cycle(lambda v: aer.evaluate(v, weights)), options.seconds)
    log(f"  {figures['aer_evals_per_s']:.2f}/s one by one")

    def aer_batched(n):
        done = 0
        while done < n:
            count = min(n - done, len(rows))
            aer.evaluate_batch(rows[:count])
            done += count

    figures["aer_batched_evals_per_s"] = rate(aer_batched, options.seconds)
    log(f"  {figures['aer_batched_evals_per_s']:.2f}/s through parameter_binds")
    figures["aer_ps_jacobians_per_s"] = rate(cycle(lambda v: aer.jacobian(v, weights)), options.seconds)
    log(f"  {figures['aer_ps_jacobians_per_s']:.3f} Jacobians/s")

    # 3. Ours, in the same run.
    log(f"running {options.qlstm} bench --suite sim --json")
    bench = json.loads(subprocess.run(
        [options.qlstm, "bench", "--suite", "sim", "--json", "--seconds", str(options.seconds)],
        check=True, capture_output=True, text=True,
    ).stdout)
    if bench.get("build") != "release":
        raise SystemExit(f"{options.qlstm} is a {bench.get('build')} build; build with -c release")
    ours_evals = bench["noisy_paper_circuit_evals_per_s"]
    ours_jacobians = bench["noisy_paper_circuit_ps_jacobians_per_s"]
    figures["qlstm_noisy_paper_circuit_evals_per_s"] = ours_evals
    figures["qlstm_noisy_paper_circuit_ps_jacobians_per_s"] = ours_jacobians
    log(f"  {ours_evals}/s, {ours_jacobians} Jacobians/s")

    def ratio(ours, key):
        return round(ours / figures[key], 1) if figures.get(key) else None

    figures["ratios_ours_to_peer"] = {
        "evals_vs_pennylane": ratio(ours_evals, "pennylane_evals_per_s"),
        f"evals_vs_pennylane_broadcast{broadcast}": ratio(ours_evals, f"pennylane_broadcast{broadcast}_evals_per_s"),
        "ps_jacobians_vs_pennylane": ratio(ours_jacobians, "pennylane_ps_jacobians_per_s"),
        "evals_vs_aer": ratio(ours_evals, "aer_evals_per_s"),
        "evals_vs_aer_batched": ratio(ours_evals, "aer_batched_evals_per_s"),
        "ps_jacobians_vs_aer": ratio(ours_jacobians, "aer_ps_jacobians_per_s"),
    }
    best_pennylane = max(figures["pennylane_evals_per_s"], figures[f"pennylane_broadcast{broadcast}_evals_per_s"])
    figures["bar_evals_at_least_10x_pennylane"] = ours_evals >= 10 * best_pennylane
    figures["load_average_end"] = [round(v, 2) for v in os.getloadavg()]
    for key, value in list(figures.items()):
        if key.endswith("_per_s") and isinstance(value, float):
            figures[key] = float(f"{value:.4g}")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
