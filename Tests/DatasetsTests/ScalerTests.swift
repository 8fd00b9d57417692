import Datasets
import Testing

@Suite("Scaling")
struct ScalerTests {
    @Test(
        "transform then inverseTransform is the identity",
        arguments: [
            Scaler.Kind.minMax(), .minMax(lower: 0, upper: 1), .zScore, .identity,
        ]
    )
    func roundTrip(kind: Scaler.Kind) {
        let column = [3.0, -1.5, 7.25, 0, 2]
        let scaler = Scaler.fit(column, kind: kind)
        let back = scaler.inverseTransform(scaler.transform(column))
        #expect(zip(back, column).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test func minMaxHitsTheRange() {
        let scaler = Scaler.fit([2, 4, 10], kind: .minMax())
        #expect(scaler.transform([2, 4, 10]) == [-1, -0.5, 1])
        #expect(Scaler.fit([2, 4, 10], kind: .minMax(lower: 0, upper: 1)).transform(6) == 0.5)
    }

    @Test func zScoreUsesThePopulationDeviation() {
        let scaled = Scaler.fit([1, 2, 3, 4], kind: .zScore).transform([1, 2, 3, 4])
        let mean = scaled.reduce(0, +) / 4
        let variance = scaled.map { $0 * $0 }.reduce(0, +) / 4
        #expect(abs(mean) < 1e-15)
        #expect(abs(variance - 1) < 1e-12)
    }

    @Test func constantColumnDoesNotDivideByZero() {
        let minMax = Scaler.fit([5, 5, 5], kind: .minMax())
        #expect(minMax.spread == 0)
        #expect(minMax.transform(5) == 0)
        #expect(minMax.transform(6) == 1)
        #expect(minMax.inverseTransform(0) == 5)
        let zScore = Scaler.fit([5, 5], kind: .zScore)
        #expect(zScore.transform(5) == 0)
        #expect(zScore.inverseTransform(zScore.transform(7)) == 7)
    }
}
