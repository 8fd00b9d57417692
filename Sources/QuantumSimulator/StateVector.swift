/// The state of `qubitCount` qubits as 2^n amplitudes in one flat buffer.
///
/// Basis-state index `i` has wire `w` in bit `w` (wire 0 is the least significant bit), the
/// convention of Qiskit and of OpenQASM's `q[0]`. The imaginary parts are only stored once a
/// complex gate has been applied; until then the state is real and costs half as much.
public struct StateVector: Sendable {
    public let qubitCount: Int
    /// The number of amplitudes, 2^qubitCount.
    public var dimension: Int { 1 << qubitCount }
    var re: [Double]
    /// Empty while the state is real.
    var im: [Double]

    /// The state |0...0>.
    /// - Throws: `SimulatorError.qubitCountOutOfRange` outside 1...25 qubits.
    public init(qubitCount: Int) throws(SimulatorError) {
        guard Circuit.qubitRange.contains(qubitCount) else {
            throw .qubitCountOutOfRange(qubitCount, range: Circuit.qubitRange)
        }
        self.qubitCount = qubitCount
        re = [Double](repeating: 0, count: 1 << qubitCount)
        re[0] = 1
        im = []
    }

    /// The product state `U_0|0> (x) U_1|0> (x) ...`, one single-qubit unitary per wire.
    ///
    /// Builds the 2^n amplitudes directly (2^n multiplications) instead of applying n gates to
    /// |0...0>: the encoding layer of a VQC is exactly this.
    public init(product unitaries: [Matrix2]) throws(SimulatorError) {
        try self.init(qubitCount: unitaries.count)
        setProduct(unitaries)
    }

    /// True while no amplitude has an imaginary part stored.
    public var isReal: Bool { im.isEmpty }

    /// The amplitude of basis state `index`.
    public func amplitude(_ index: Int) -> Complex {
        Complex(re[index], im.isEmpty ? 0 : im[index])
    }

    /// Every amplitude, for tests and small states.
    public var amplitudes: [Complex] { (0..<dimension).map(amplitude) }

    /// The squared norm, 1 for every state the simulator produces.
    public var normSquared: Double {
        reduceInBlocks { lo, hi in
            var sum = 0.0
            for i in lo..<hi { sum += re[i] * re[i] }
            if !im.isEmpty { for i in lo..<hi { sum += im[i] * im[i] } }
            return sum
        }
    }

    /// The probability of every basis state.
    public func probabilities() -> [Double] {
        if im.isEmpty { return re.map { $0 * $0 } }
        return (0..<dimension).map { re[$0] * re[$0] + im[$0] * im[$0] }
    }

    /// Overwrites this state with `other`'s amplitudes, reusing the storage when it can.
    ///
    /// Plain assignment would share the buffer and copy it again on the next gate; shifted
    /// circuits restart from a stored prefix many times, so they copy into scratch instead.
    public mutating func overwrite(with other: StateVector) {
        precondition(other.qubitCount == qubitCount, "overwrite needs states of the same size")
        re.withUnsafeMutableBufferPointer { dst in
            other.re.withUnsafeBufferPointer { src in
                dst.baseAddress!.update(from: src.baseAddress!, count: src.count)
            }
        }
        if other.im.isEmpty {
            im.removeAll(keepingCapacity: true)
        } else {
            if im.count != dimension { im = [Double](repeating: 0, count: dimension) }
            im.withUnsafeMutableBufferPointer { dst in
                other.im.withUnsafeBufferPointer { src in
                    dst.baseAddress!.update(from: src.baseAddress!, count: src.count)
                }
            }
        }
    }

    /// Sets the state to the product `U_0|0> (x) U_1|0> (x) ...` without reallocating.
    public mutating func setProduct(_ unitaries: [Matrix2]) {
        setLaneProducts(unitaries, wires: qubitCount, laneBits: 0)
    }

    /// Gives the state imaginary parts (all zero) so that complex gates can act on it.
    @usableFromInline
    mutating func makeComplex() {
        if im.isEmpty { im = [Double](repeating: 0, count: dimension) }
    }

    /// Sums `block(lo, hi)` over fixed blocks of indices in index order.
    ///
    /// The blocks have a fixed size, whatever the thread count, so a sum is bit-identical on
    /// every machine and every worker.
    func reduceInBlocks(_ block: (Int, Int) -> Double) -> Double {
        let blockSize = 1 << 12
        var total = 0.0
        var lo = 0
        while lo < dimension {
            let hi = min(dimension, lo + blockSize)
            total += block(lo, hi)
            lo = hi
        }
        return total
    }
}
