import QuantumSimulator

extension QPUProfile {
    /// The channels the emulator applies for this QPU (REFERENCE.md's "Noise channels"): gate
    /// errors as depolarising probabilities, relaxation over the gate times, readout errors.
    public var noiseModel: NoiseModel {
        NoiseModel(
            depolarizing1q: gateError1q,
            depolarizing2q: gateError2q,
            t1Seconds: t1Seconds,
            t2Seconds: t2Seconds,
            gateSeconds1q: gateSeconds1q,
            gateSeconds2q: gateSeconds2q,
            readout0to1: readoutError0to1,
            readout1to0: readoutError1to0
        )
    }
}
