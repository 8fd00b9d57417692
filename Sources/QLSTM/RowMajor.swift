/// Column slicing and joining of row-major batches, the bookkeeping around v_t = [x_t ; h_{t-1}].
enum RowMajor {
    /// The columns `range` of a `rows x width` batch, as a `rows x range.count` batch.
    static func columns(_ a: [Double], rows: Int, width: Int, range: Range<Int>) -> [Double] {
        var result: [Double] = []
        result.reserveCapacity(rows * range.count)
        for r in 0..<rows {
            result.append(contentsOf: a[r * width + range.lowerBound..<r * width + range.upperBound])
        }
        return result
    }

    /// Each row of `a` (`rows x widthA`) followed by the same row of `b` (`rows x widthB`).
    static func joined(_ a: [Double], width widthA: Int, _ b: [Double], width widthB: Int, rows: Int) -> [Double] {
        var result: [Double] = []
        result.reserveCapacity(rows * (widthA + widthB))
        for r in 0..<rows {
            result.append(contentsOf: a[r * widthA..<(r + 1) * widthA])
            result.append(contentsOf: b[r * widthB..<(r + 1) * widthB])
        }
        return result
    }
}
