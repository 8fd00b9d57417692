/// The outcome of measuring every qubit `shots` times: counts per basis state and the <Z_i>
/// estimates they give.
public struct ShotSample: Sendable, Hashable {
    public let qubitCount: Int
    public let shots: Int
    /// Counts by basis-state index, only the states that occurred, in increasing index order.
    public let counts: [(index: Int, count: Int)]

    /// The estimate of <Z_w> for every wire: (n0 - n1) / shots.
    public var expectationsZ: [Double] {
        var ones = [Int](repeating: 0, count: qubitCount)
        for (index, count) in counts {
            for w in 0..<qubitCount where index & (1 << w) != 0 { ones[w] += count }
        }
        return ones.map { Double(shots - 2 * $0) / Double(shots) }
    }

    /// The bit string of a basis state as OpenQASM and Qiskit print it: wire 0 rightmost.
    public func bitString(_ index: Int) -> String {
        String((0..<qubitCount).reversed().map { index & (1 << $0) != 0 ? "1" : "0" })
    }

    public static func == (a: ShotSample, b: ShotSample) -> Bool {
        a.qubitCount == b.qubitCount && a.shots == b.shots
            && a.counts.elementsEqual(b.counts) { $0.index == $1.index && $0.count == $1.count }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(qubitCount)
        hasher.combine(shots)
        for (index, count) in counts {
            hasher.combine(index)
            hasher.combine(count)
        }
    }
}

extension StateVector {
    /// Measures every qubit `shots` times with a seeded generator.
    ///
    /// Draws are inverted through the cumulative distribution built in index order, so the
    /// same seed gives the same counts on every machine.
    /// - Throws: `SimulatorError.invalidShotCount` unless `shots >= 1`.
    public func sample(shots: Int, seed: UInt64) throws(SimulatorError) -> ShotSample {
        try sample(shots: shots, seed: seed, lane: 0, laneBits: 0)
    }

    /// Measures every qubit of one lane (see `setLaneProducts`) `shots` times.
    public func sample(shots: Int, seed: UInt64, lane: Int, laneBits: Int) throws(SimulatorError) -> ShotSample {
        guard shots >= 1 else { throw .invalidShotCount(shots) }
        let wires = qubitCount - laneBits
        var cumulative = [Double](repeating: 0, count: 1 << wires)
        var running = 0.0
        for i in cumulative.indices {
            let a = amplitude((i << laneBits) | lane)
            running += a.lengthSquared
            cumulative[i] = running
        }
        var generator = SeededGenerator(seed: seed)
        var tally = [Int: Int]()
        for _ in 0..<shots {
            tally[ShotSample.draw(from: cumulative, total: running, generator: &generator), default: 0] += 1
        }
        return ShotSample(qubitCount: wires, shots: shots, tally: tally)
    }
}

extension ShotSample {
    /// Counts from a tally by basis-state index.
    init(qubitCount: Int, shots: Int, tally: [Int: Int]) {
        self.init(
            qubitCount: qubitCount,
            shots: shots,
            counts: tally.sorted { $0.key < $1.key }.map { (index: $0.key, count: $0.value) }
        )
    }

    /// One basis state drawn by inverting the cumulative distribution `cumulative` (of total
    /// `total`) at a uniform draw.
    static func draw(from cumulative: [Double], total: Double, generator: inout SeededGenerator) -> Int {
        let u = generator.nextUnit() * total
        var lo = 0
        var hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > u { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
