import Datasets
import Foundation
import Testing

@Suite("Benchmark series")
struct BenchmarkTests {
    @Test func pendulumMatchesTheDOP853Reference() throws {
        let fixture = try #require(ReferenceFixture.shared)
        let series = try DampedPendulum().series()
        #expect(series.count == 240)
        #expect(maximumDifference(series.time, fixture.pendulum.t) < 1e-12)
        #expect(maximumDifference(series.target, fixture.pendulum.omega) < 1e-8)
        #expect(series.featureNames == [series.targetName])
        #expect(series.featureColumn(0) == series.target)
        #expect(series.time.last == 20)
    }

    @Test func pendulumParametersAreHonoured() throws {
        let undamped = try DampedPendulum(damping: 0, initialAngularVelocity: 0.01, duration: 2, sampleCount: 21)
            .series()
        #expect(undamped.count == 21)
        // Small swings: theta' = 0.01 cos(sqrt(g/L) t).
        let expected = undamped.time.map { 0.01 * cos(9.81.squareRoot() * $0) }
        #expect(maximumDifference(undamped.target, expected) < 1e-7)
        #expect(throws: DatasetError.invalidParameter(name: "sampleCount", value: "1", expected: "at least 2")) {
            try DampedPendulum(sampleCount: 1).series()
        }
        #expect(throws: DatasetError.self) { try DampedPendulum(mass: 0).series() }
    }

    @Test("NARMA matches the reference generator", arguments: [2, 5, 10])
    func narmaMatchesTheReference(order: Int) throws {
        let reference = try #require(ReferenceFixture.shared?.narma(order: order))
        #expect(reference.recipe.contains("y_0 = 0.196"))
        let series = try NARMA(order: order).series()
        #expect(series.count == 300)
        #expect(series.featureNames == ["u"])
        #expect(series.targetName == "y")
        #expect(maximumDifference(series.featureColumn(0), reference.u) < 1e-12)
        #expect(maximumDifference(series.target, reference.y) < 1e-12)
    }

    @Test func narma5StaysInThePapersRange() throws {
        let y = try NARMA(order: 5).series().target
        #expect(y.dropFirst(10).allSatisfy { (0.14...0.23).contains($0) })
    }

    @Test func randomNarmaIsDeterministicPerSeed() throws {
        let a = try BenchmarkTask.narma10Random.series(seed: 7)
        let b = try BenchmarkTask.narma10Random.series(seed: 7)
        let c = try BenchmarkTask.narma10Random.series(seed: 8)
        #expect(a == b)
        #expect(a.featureColumn(0) != c.featureColumn(0))
        for seed: UInt64 in [0, 1, 2, 7, 42] {
            let series = try BenchmarkTask.narma10Random.series(seed: seed)
            let u = series.featureColumn(0)
            #expect(u.allSatisfy { (0..<0.5).contains($0) })
            #expect((u.min() ?? 1) < 0.05 && (u.max() ?? 0) > 0.45)
            #expect(series.target.allSatisfy { $0.isFinite })
        }
    }

    @Test func randomNarmaInputIsPinned() throws {
        // SplitMix64(seed 1234567) starts 6457827717110365317 (Vigna's reference stream);
        // u = 0.5 * (top 53 bits) / 2^53.
        let u = try NARMA(order: 10, length: 2, input: .uniform(seed: 1_234_567)).series().featureColumn(0)
        #expect(u[0] == 0.5 * Double(UInt64(6_457_827_717_110_365_317) >> 11) * 0x1p-53)
        #expect(u[1] == 0.5 * Double(UInt64(3_203_168_211_198_807_973) >> 11) * 0x1p-53)
    }

    @Test func tasksHaveTheirCommandLineNames() throws {
        #expect(
            BenchmarkTask.allCases.map(\.rawValue) == ["pendulum", "narma2", "narma5", "narma10", "narma10-random"]
        )
        #expect(BenchmarkTask(rawValue: "narma10-random") == .narma10Random)
        #expect(try BenchmarkTask.narma5.series() == NARMA(order: 5).series())
        #expect(try BenchmarkTask.pendulum.series().count == 240)
    }

    @Test func narmaRejectsBadParameters() {
        #expect(throws: DatasetError.invalidParameter(name: "order", value: "1", expected: "at least 2")) {
            try NARMA(order: 1).series()
        }
        #expect(throws: DatasetError.self) { try NARMA(order: 5, length: 1).series() }
        #expect(throws: DatasetError.self) { try NARMA(order: 10, input: .uniform(seed: 1, upperBound: 0)).series() }
    }
}
