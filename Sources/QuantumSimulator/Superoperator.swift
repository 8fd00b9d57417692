/// A linear map on one qubit's 2 x 2 blocks of a density matrix: a gate, a channel, or a run of
/// gates each followed by its channels, fused into one pass over the matrix.
///
/// It acts on `(rho00, rho01, rho10, rho11)` (row bit, column bit) as a 4 x 4 complex matrix,
/// row-major: entry `(k, l)` is at `k * 4 + l`. A unitary `U` gives
/// `S[(a, b), (c, d)] = U[a][c] conj(U[b][d])`: real when `U` is, so the paper's real circuits
/// keep real density matrices.
public struct Superoperator: Sendable, Hashable {
    var re: SIMD16<Double>
    var im: SIMD16<Double>

    /// rho -> U rho U^dagger.
    public init(unitary u: Matrix2) {
        re = SIMD16()
        im = SIMD16()
        for a in 0..<2 {
            for b in 0..<2 {
                for c in 0..<2 {
                    for d in 0..<2 {
                        let entry = u[a, c] * u[b, d].conjugate
                        re[(a * 2 + b) * 4 + c * 2 + d] = entry.re
                        im[(a * 2 + b) * 4 + c * 2 + d] = entry.im
                    }
                }
            }
        }
    }

    private init(re: SIMD16<Double>, im: SIMD16<Double>) {
        self.re = re
        self.im = im
    }

    init(_ channel: WireChannel) {
        self = Superoperator(unitary: .identity).followed(by: channel)
    }

    public static let identity = Superoperator(unitary: .identity)

    /// A 1-qubit gate followed by the channels `channels` puts after a 1-qubit gate.
    public static func noisyGate(_ u: Matrix2, channels: NoiseChannels) -> Superoperator {
        Superoperator(unitary: u).followed(by: channels.afterSingle)
    }

    /// (1 - p) rho + p/3 (X rho X + Y rho Y + Z rho Z).
    public static func depolarizing(_ p: Double) -> Superoperator { Superoperator(.depolarizing(p)) }

    /// Amplitude damping with decay probability `gamma`.
    public static func amplitudeDamping(_ gamma: Double) -> Superoperator { Superoperator(.amplitudeDamping(gamma)) }

    /// Phase damping with parameter `lambda`: coherences scale by sqrt(1 - lambda).
    public static func phaseDamping(_ lambda: Double) -> Superoperator { Superoperator(.phaseDamping(lambda)) }

    /// True when every entry is real: a real density matrix stays real under it.
    public var isReal: Bool { im == SIMD16() }

    /// The map `self` after `first`.
    public static func * (map: Superoperator, first: Superoperator) -> Superoperator {
        var product = Superoperator(re: SIMD16(), im: SIMD16())
        for k in 0..<4 {
            for l in 0..<4 {
                var sumRe = 0.0
                var sumIm = 0.0
                for j in 0..<4 {
                    let (ar, ai) = (map.re[k * 4 + j], map.im[k * 4 + j])
                    let (br, bi) = (first.re[j * 4 + l], first.im[j * 4 + l])
                    sumRe += ar * br - ai * bi
                    sumIm += ar * bi + ai * br
                }
                product.re[k * 4 + l] = sumRe
                product.im[k * 4 + l] = sumIm
            }
        }
        return product
    }

    /// This map then `channel`: a channel only mixes the populations (rows 0 and 3) and scales
    /// the coherences (rows 1 and 2), so this costs a few multiplications, not a product.
    func followed(by channel: WireChannel) -> Superoperator {
        var result = self
        for l in 0..<4 {
            result.re[l] = channel.p00 * re[l] + channel.p01 * re[12 + l]
            result.im[l] = channel.p00 * im[l] + channel.p01 * im[12 + l]
            result.re[12 + l] = channel.p10 * re[l] + channel.p11 * re[12 + l]
            result.im[12 + l] = channel.p10 * im[l] + channel.p11 * im[12 + l]
            for row in 1...2 {
                result.re[row * 4 + l] = channel.coherence * re[row * 4 + l]
                result.im[row * 4 + l] = channel.coherence * im[row * 4 + l]
            }
        }
        return result
    }

    /// The map applied to one qubit's density matrix `[[rho00, rho01], [rho10, rho11]]`.
    public func applied(to rho: Matrix2) -> Matrix2 {
        func row(_ k: Int) -> Complex {
            var sum = Complex.zero
            for l in 0..<4 { sum = sum + Complex(re[k * 4 + l], im[k * 4 + l]) * rho[l >> 1, l & 1] }
            return sum
        }
        return Matrix2(row(0), row(1), row(2), row(3))
    }
}
