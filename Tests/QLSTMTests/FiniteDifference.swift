/// Central finite differences (f(x + h e_n) - f(x - h e_n)) / 2h for every coordinate n.
func centralDifferences(at x: [Double], step h: Double = 1e-5, _ f: ([Double]) throws -> Double) rethrows -> [Double] {
    var result: [Double] = []
    for n in x.indices {
        var plus = x
        var minus = x
        plus[n] += h
        minus[n] -= h
        result.append((try f(plus) - f(minus)) / (2 * h))
    }
    return result
}

/// The asynchronous form, for models whose forward pass is `async`.
func centralDifferences(
    at x: [Double],
    step h: Double = 1e-5,
    _ f: ([Double]) async throws -> Double
) async rethrows -> [Double] {
    var result: [Double] = []
    for n in x.indices {
        var plus = x
        var minus = x
        plus[n] += h
        minus[n] -= h
        let up = try await f(plus)
        let down = try await f(minus)
        result.append((up - down) / (2 * h))
    }
    return result
}

/// The largest element-wise difference of two equally long vectors (infinity if the lengths differ).
func largestDifference(_ a: [Double], _ b: [Double]) -> Double {
    guard a.count == b.count else { return .infinity }
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

/// sum_n a_n b_n in index order.
func innerProduct(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
}
