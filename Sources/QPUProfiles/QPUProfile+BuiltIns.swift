extension QPUProfile {
    /// The built-in profiles: an ideal QPU and three modelled on published figures of current
    /// devices (sources in docs/PROFILES.md). Gate errors are used as the depolarising
    /// probabilities p1 and p2 directly.
    public static let builtIns: [QPUProfile] = [ideal, superconducting, trappedIon, neutralAtom]

    /// No noise, exact expectations, no modelled time: today's state-vector emulator.
    public static let ideal = QPUProfile(
        name: "ideal",
        qubits: 25,
        source: "no noise: exact expectations on the state vector"
    )

    /// A heavy-hex superconducting QPU, modelled on IBM Heron r2 medians (ibm_fez, ibm_torino).
    public static let superconducting = QPUProfile(
        name: "superconducting-heron",
        qubits: 156,
        gateError1q: 2.5e-4,
        gateError2q: 3.0e-3,
        t1Seconds: 160e-6,
        t2Seconds: 110e-6,
        gateSeconds1q: 32e-9,
        gateSeconds2q: 68e-9,
        readoutError0to1: 1.0e-2,
        readoutError1to0: 2.0e-2,
        shots: 4096,
        jobSeconds: 2.0,
        shotSeconds: 250e-6,
        source: "IBM Quantum Platform calibration medians of Heron r2 devices, rounded (docs/PROFILES.md)"
    )

    /// A trapped-ion QPU, modelled on IonQ Aria's published system figures.
    public static let trappedIon = QPUProfile(
        name: "trapped-ion-aria",
        qubits: 25,
        gateError1q: 5.0e-4,
        gateError2q: 6.0e-3,
        t1Seconds: 10,
        t2Seconds: 1,
        gateSeconds1q: 135e-6,
        gateSeconds2q: 600e-6,
        readoutError0to1: 4.0e-3,
        readoutError1to0: 4.0e-3,
        shots: 1000,
        jobSeconds: 3.0,
        shotSeconds: 1.0e-3,
        source: "IonQ Aria system specification (Azure Quantum IonQ provider page), rounded (docs/PROFILES.md)"
    )

    /// A Rydberg-atom QPU, modelled on Evered et al., Nature 622, 268 (2023) and Bluvstein et
    /// al., Nature 626, 58 (2024).
    public static let neutralAtom = QPUProfile(
        name: "neutral-atom-rydberg",
        qubits: 256,
        gateError1q: 1.0e-3,
        gateError2q: 5.0e-3,
        t1Seconds: 4.0,
        t2Seconds: 1.5,
        gateSeconds1q: 1.0e-6,
        gateSeconds2q: 250e-9,
        readoutError0to1: 2.0e-2,
        readoutError1to0: 2.0e-2,
        shots: 1000,
        jobSeconds: 10.0,
        shotSeconds: 0.25,
        source: "Evered et al. 2023 and Bluvstein et al. 2024 (Harvard/QuEra), rounded (docs/PROFILES.md)"
    )
}
