#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Student's t distribution, for intervals over a handful of seeds, where the normal
/// distribution's 1.96 would claim far more certainty than 3 runs give (the 97.5 % point is
/// 4.30 with 2 degrees of freedom).
///
/// Degrees of freedom may be fractional, as Welch's approximation gives them.
public enum StudentT {
    /// P(T <= t) for `degreesOfFreedom` > 0.
    public static func cumulativeProbability(_ t: Double, degreesOfFreedom: Double) -> Double {
        guard t.isFinite else { return t > 0 ? 1 : 0 }
        let x = degreesOfFreedom / (degreesOfFreedom + t * t)
        let tail = 0.5 * regularizedIncompleteBeta(x, a: degreesOfFreedom / 2, b: 0.5)
        return t > 0 ? 1 - tail : tail
    }

    /// The t with P(T <= t) = `probability`, for 0 < probability < 1 and `degreesOfFreedom` > 0.
    ///
    /// Found by bisection on the regularized incomplete beta function, which is monotonic, to
    /// about 1e-12 relative accuracy: slower than a series expansion and exact enough for any
    /// report.
    public static func quantile(_ probability: Double, degreesOfFreedom: Double) -> Double {
        precondition(probability > 0 && probability < 1 && degreesOfFreedom > 0)
        if probability == 0.5 { return 0 }
        // For the upper tail: I_x(df/2, 1/2) = 2 (1 - p) with x = df / (df + t^2).
        let tail = 2 * min(probability, 1 - probability)
        var low = 0.0
        var high = 1.0
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if regularizedIncompleteBeta(middle, a: degreesOfFreedom / 2, b: 0.5) < tail {
                low = middle
            } else {
                high = middle
            }
            if high - low <= 1e-15 * high { break }
        }
        let x = (low + high) / 2
        let t = (degreesOfFreedom * (1 - x) / x).squareRoot()
        return probability > 0.5 ? t : -t
    }

    /// I_x(a, b), by the continued fraction of Numerical Recipes (modified Lentz), using the
    /// symmetry I_x(a, b) = 1 - I_(1-x)(b, a) where the fraction converges slowly.
    static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1 - x)
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * continuedFraction(x, a: a, b: b) / a
        }
        return 1 - exp(logFront) * continuedFraction(1 - x, a: b, b: a) / b
    }

    private static func continuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var result = d
        for m in 1...500 {
            let m = Double(m)
            let even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + even * d
            if abs(d) < tiny { d = tiny }
            c = 1 + even / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            result *= d * c
            let odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + odd * d
            if abs(d) < tiny { d = tiny }
            c = 1 + odd / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let step = d * c
            result *= step
            if abs(step - 1) < 1e-15 { break }
        }
        return result
    }
}
