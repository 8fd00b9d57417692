/// Hands out consecutive slices of a flat parameter vector, for the `setParameters` of models
/// made of parts (the gate maps, the head, the projection and readout).
struct ParameterSlices {
    private let values: [Double]
    private var offset = 0

    init(_ values: [Double]) { self.values = values }

    /// The next `count` values.
    mutating func next(_ count: Int) -> [Double] {
        defer { offset += count }
        return Array(values[offset..<offset + count])
    }
}
