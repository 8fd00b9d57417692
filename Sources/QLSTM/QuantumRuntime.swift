import QuantumSimulator
import Synchronization
import VariationalCircuits

/// What the quantum gate maps of one model share while training: the executor, and how the
/// current step's circuits are to be evaluated.
///
/// A reference, because the trainer changes the step while the gate maps sit inside the model.
public final class QuantumRuntime: Sendable {
    /// How the circuits of the current forward pass are evaluated.
    public struct Mode: Sendable, Hashable {
        /// `nil` for outputs only (inference); a method when the backward pass will follow.
        public var method: DifferentiationMethod?
        public var shots: Int?
        /// The run's seed; shot streams derive from it and the item's position.
        public var seed: UInt64
        /// The optimiser step (or a distinct number per evaluation pass), part of every shot seed.
        public var step: UInt64
        /// The parameter version the executor holds.
        public var parameterVersion: UInt64

        public init(
            method: DifferentiationMethod?,
            shots: Int?,
            seed: UInt64,
            step: UInt64 = 0,
            parameterVersion: UInt64 = 0
        ) {
            self.method = method
            self.shots = shots
            self.seed = seed
            self.step = step
            self.parameterVersion = parameterVersion
        }
    }

    public let executor: any CircuitExecutor
    private let state: Mutex<Mode>

    public init(executor: any CircuitExecutor, mode: Mode) {
        self.executor = executor
        state = Mutex(mode)
    }

    public var mode: Mode {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
