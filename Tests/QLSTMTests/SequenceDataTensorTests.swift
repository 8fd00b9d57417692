import QLSTM
import Testing

@Suite("Sequence input layouts (batch_first)")
struct SequenceDataTensorTests {
    /// Two windows of three steps of two features: value = 100 w + 10 t + f.
    static func value(_ window: Int, _ step: Int, _ feature: Int) -> Double { Double(100 * window + 10 * step + feature) }

    @Test("(batch, seq, feature) and (seq, batch, feature) give the same windows, flattened step by step")
    func layoutsAgree() throws {
        let batchFirst = (0..<2).map { w in (0..<3).map { t in (0..<2).map { f in Self.value(w, t, f) } } }
        let timeFirst = (0..<3).map { t in (0..<2).map { w in (0..<2).map { f in Self.value(w, t, f) } } }
        let a = try SequenceData(tensor: batchFirst, targets: [1, 2], batchFirst: true)
        let b = try SequenceData(tensor: timeFirst, targets: [1, 2], batchFirst: false)
        #expect(a == b)
        #expect(a.timeSteps == 3 && a.inputWidth == 2 && a.count == 2)
        #expect(a.inputs[1] == [100, 101, 110, 111, 120, 121])
    }

    @Test("a ragged tensor or a wrong target count is refused, naming what does not match")
    func refusals() {
        #expect(throws: QLSTMError.countMismatch(name: "targets", expected: 1, found: 2)) {
            try SequenceData(tensor: [[[1], [2]]], targets: [1, 2], batchFirst: true)
        }
        #expect(throws: QLSTMError.self) {
            try SequenceData(tensor: [[[1], [2]], [[3]]], targets: [1, 2], batchFirst: true)
        }
        #expect(throws: QLSTMError.self) {
            try SequenceData(tensor: [[[1, 2], [3]]], targets: [1, 2], batchFirst: false)
        }
    }
}
