/// The mixed state of `qubitCount` qubits as a 2^n x 2^n matrix in one flat buffer.
///
/// Element (row, column) sits at index `(row << n) | column`, so wire `w` is bit `w` of the
/// column and bit `w + n` of the row: a 1-qubit map acts on the quadruples of those two bits,
/// like a 2-qubit gate on a state vector of 2n qubits. As with `StateVector`, the imaginary parts
/// are stored only once a complex gate has been applied: the paper's circuits (H, RY, CNOT) and
/// every channel of a `NoiseModel` keep a real matrix real, and symmetric: the kernels then
/// compute half the elements and copy them to their transposes.
public struct DensityMatrix: Sendable {
    /// 4^12 doubles are 128 MiB: beyond that, noisy circuits run as trajectories.
    public static let qubitRange = 1...12

    public let qubitCount: Int
    /// The number of rows, 2^qubitCount.
    public var dimension: Int { 1 << qubitCount }
    var re: [Double]
    /// Empty while the matrix is real.
    var im: [Double]

    /// The pure state |0...0><0...0|.
    /// - Throws: `SimulatorError` outside 1...12 qubits.
    public init(qubitCount: Int) throws(SimulatorError) {
        guard qubitCount <= Self.qubitRange.upperBound else {
            throw .densityMatrixTooLarge(qubits: qubitCount, limit: Self.qubitRange.upperBound)
        }
        guard Self.qubitRange.contains(qubitCount) else {
            throw .qubitCountOutOfRange(qubitCount, range: Self.qubitRange)
        }
        self.qubitCount = qubitCount
        re = [Double](repeating: 0, count: 1 << (2 * qubitCount))
        re[0] = 1
        im = []
    }

    /// The product `rho_0 (x) rho_1 (x) ...` of one 2 x 2 density matrix per wire.
    public init(product wires: [Matrix2]) throws(SimulatorError) {
        try self.init(qubitCount: wires.count)
        setProduct(wires)
    }

    /// |psi><psi|.
    public init(pure state: StateVector) throws(SimulatorError) {
        try self.init(qubitCount: state.qubitCount)
        let n = qubitCount
        if !state.isReal { im = [Double](repeating: 0, count: re.count) }
        for row in 0..<dimension {
            let a = state.amplitude(row)
            for column in 0..<dimension {
                let entry = a * state.amplitude(column).conjugate
                re[(row << n) | column] = entry.re
                if !im.isEmpty { im[(row << n) | column] = entry.im }
            }
        }
    }

    /// True while no element has an imaginary part stored.
    public var isReal: Bool { im.isEmpty }

    /// The element in `row` and `column`.
    public subscript(row: Int, column: Int) -> Complex {
        let index = (row << qubitCount) | column
        return Complex(re[index], im.isEmpty ? 0 : im[index])
    }

    /// The sum of the diagonal, 1 for every state the simulator produces.
    public var trace: Double {
        var sum = 0.0
        for i in 0..<dimension { sum += re[i * (dimension + 1)] }
        return sum
    }

    /// The probability of every basis state: the diagonal, clipped at zero against rounding.
    public func probabilities(into result: inout [Double]) {
        if result.count != dimension { result = [Double](repeating: 0, count: dimension) }
        for i in 0..<dimension { result[i] = max(0, re[i * (dimension + 1)]) }
    }

    /// <Z_w> for every wire, from the diagonal summed in index order.
    public func expectationsZ(into result: inout [Double]) {
        if result.count != qubitCount { result = [Double](repeating: 0, count: qubitCount) }
        var total = 0.0
        for w in 0..<qubitCount { result[w] = 0 }
        re.withUnsafeBufferPointer { buffer in
            let re = buffer.baseAddress!
            let step = dimension + 1
            for i in 0..<dimension {
                let p = re[i * step]
                total += p
                var ones = i
                var w = 0
                while ones != 0 {
                    if ones & 1 != 0 { result[w] += p }
                    ones >>= 1
                    w += 1
                }
            }
        }
        // <Z_w> = total - 2 * (probability of wire w being 1).
        for w in 0..<qubitCount { result[w] = total - 2 * result[w] }
    }

    /// <Z_w> for every wire.
    public func expectationsZ() -> [Double] {
        var result: [Double] = []
        expectationsZ(into: &result)
        return result
    }

    /// Overwrites this matrix with `other`'s elements, reusing the storage (see
    /// `StateVector.overwrite(with:)`: shifted circuits restart from stored prefixes).
    public mutating func overwrite(with other: DensityMatrix) {
        precondition(other.qubitCount == qubitCount, "overwrite needs matrices of the same size")
        re.withUnsafeMutableBufferPointer { dst in
            other.re.withUnsafeBufferPointer { src in dst.baseAddress!.update(from: src.baseAddress!, count: src.count)
            }
        }
        if other.im.isEmpty {
            im.removeAll(keepingCapacity: true)
        } else {
            if im.count != re.count { im = [Double](repeating: 0, count: re.count) }
            im.withUnsafeMutableBufferPointer { dst in
                other.im.withUnsafeBufferPointer { src in
                    dst.baseAddress!.update(from: src.baseAddress!, count: src.count)
                }
            }
        }
    }

    /// Sets the matrix to the product `rho_0 (x) rho_1 (x) ...` without reallocating.
    ///
    /// Built by doubling, wire by wire, in place: the product of wires `0..<w` sits at indices
    /// `(r << w) | c`, and each element moves to higher indices only, so walking downwards
    /// never overwrites one not yet read.
    public mutating func setProduct(_ wires: [Matrix2]) {
        precondition(wires.count == qubitCount, "one density matrix per wire")
        let complex = wires.contains { !$0.isReal }
        if complex {
            if im.count != re.count { im = [Double](repeating: 0, count: re.count) }
        } else {
            im.removeAll(keepingCapacity: true)
        }
        re.withUnsafeMutableBufferPointer { reBuffer in
            im.withUnsafeMutableBufferPointer { imBuffer in
                let re = reBuffer.baseAddress!
                // An empty array may still have a base address: it must not be written.
                let im = complex ? imBuffer.baseAddress : nil
                re[0] = 1
                im?[0] = 0
                for (w, rho) in wires.enumerated() {
                    let size = 1 << w
                    for r in (0..<size).reversed() {
                        for c in (0..<size).reversed() {
                            let old = Complex(re[(r << w) | c], im?[(r << w) | c] ?? 0)
                            for rw in (0..<2).reversed() {
                                for cw in (0..<2).reversed() {
                                    let index = ((r | rw << w) << (w + 1)) | c | cw << w
                                    let entry = rho[rw, cw]
                                    if let im {
                                        let value = old * entry
                                        re[index] = value.re
                                        im[index] = value.im
                                    } else {
                                        re[index] = old.re * entry.re
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Gives the matrix imaginary parts (all zero) so that complex maps can act on it.
    mutating func makeComplex() {
        if im.isEmpty { im = [Double](repeating: 0, count: re.count) }
    }
}
