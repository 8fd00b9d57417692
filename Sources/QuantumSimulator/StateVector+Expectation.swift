extension StateVector {
    /// <Z_w> for every wire `w`, in one pass over the amplitudes.
    ///
    /// Summed in fixed blocks in index order, so the result does not depend on threads.
    public func expectationsZ() -> [Double] {
        var result = [Double](repeating: 0, count: qubitCount)
        expectationsZ(into: &result)
        return result
    }

    /// <Z_w> for every wire, written into `result` (length `qubitCount`) without allocating.
    public func expectationsZ(into result: inout [Double]) {
        laneExpectationsZ(wires: qubitCount, laneBits: 0, into: &result)
    }

    /// <P> for a Pauli word, one letter per wire.
    public func expectation(of word: PauliWord) -> Double {
        precondition(word.qubitCount == qubitCount, "Pauli word and state sizes differ")
        // P|i> = i^(#Y) (-1)^popcount(i & (Y|Z)) |i ^ flip>, so <psi|P|psi> is one sum.
        let flip = word.flipMask
        let signMask = word.signMask
        let phase: Complex = [Complex.one, .i, -.one, -.i][word.yCount % 4]
        return reduceInBlocks { lo, hi in
            var sum = Complex.zero
            for i in lo..<hi {
                let a = amplitude(i)
                let b = amplitude(i ^ flip)
                let term = b.conjugate * a
                sum = (i & signMask).nonzeroBitCount & 1 == 0 ? sum + term : sum - term
            }
            return (phase * sum).re
        }
    }
}

/// A tensor product of Pauli operators, one letter per wire: `"ZIX"` is Z on wire 0, I on wire 1,
/// X on wire 2 (the letters are in wire order, not the reversed order of a ket).
public struct PauliWord: Sendable, Hashable, CustomStringConvertible {
    public let letters: [Character]
    public var qubitCount: Int { letters.count }

    /// Parses a word of the letters I, X, Y, Z (case-insensitive).
    /// - Throws: `SimulatorError.invalidPauliLetter` for anything else.
    public init(_ text: String) throws(SimulatorError) {
        var letters: [Character] = []
        for ch in text.uppercased() {
            guard "IXYZ".contains(ch) else { throw .invalidPauliLetter(ch, word: text) }
            letters.append(ch)
        }
        self.letters = letters
    }

    var flipMask: Int { mask { $0 == "X" || $0 == "Y" } }
    var signMask: Int { mask { $0 == "Y" || $0 == "Z" } }
    var yCount: Int { letters.filter { $0 == "Y" }.count }

    private func mask(_ predicate: (Character) -> Bool) -> Int {
        var m = 0
        for (w, ch) in letters.enumerated() where predicate(ch) { m |= 1 << w }
        return m
    }

    public var description: String { String(letters) }
}
