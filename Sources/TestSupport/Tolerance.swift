/// True when `a` and `b` differ by at most `absolute + relative * max(|a|, |b|)`.
public func isClose(_ a: Double, _ b: Double, absolute: Double = 1e-12, relative: Double = 0) -> Bool {
    abs(a - b) <= absolute + relative * max(abs(a), abs(b))
}

/// The largest element-wise difference of two equally long vectors (infinity if the lengths differ).
public func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
    guard a.count == b.count else { return .infinity }
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
