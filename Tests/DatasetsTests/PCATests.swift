import Datasets
import Foundation
import Testing

@Suite("PCA")
struct PCATests {
    /// Points spread along (1, 2, 2) / 3 with small noise in the other directions.
    private var dominantDirectionRows: [[Double]] {
        (0..<50).map { i in
            let s = Double(i) - 24.5
            let noise = 0.01 * sin(Double(i) * 1.7)
            return [s / 3 + noise, 2 * s / 3 - noise, 2 * s / 3 + 0.5 * noise]
        }
    }

    @Test func findsTheDominantDirection() throws {
        let pca = try PCA.fit(dominantDirectionRows, componentCount: 1)
        let component = try #require(pca.components.first)
        let expected = [1.0 / 3, 2.0 / 3, 2.0 / 3]
        #expect(maximumDifference(component, expected) < 1e-4)
        #expect(pca.explainedVarianceRatio[0] > 0.999)
        #expect(abs(component.map { $0 * $0 }.reduce(0, +) - 1) < 1e-12)
    }

    @Test func explainedVarianceIsSortedDescending() throws {
        let rows = (0..<40).map { i -> [Double] in
            let x = Double(i)
            return [sin(x), cos(0.7 * x) * 3, 0.2 * sin(2.3 * x) + 0.1 * x / 40, sin(x) + cos(1.3 * x)]
        }
        let pca = try PCA.fit(rows, componentCount: 4)
        #expect(pca.explainedVariance.count == 4)
        #expect(zip(pca.explainedVariance, pca.explainedVariance.dropFirst()).allSatisfy { $0 >= $1 })
        #expect(abs(pca.explainedVarianceRatio.reduce(0, +) - 1) < 1e-12)
        // Orthonormal components, each with its largest entry positive.
        for (i, a) in pca.components.enumerated() {
            for (j, b) in pca.components.enumerated() {
                let dot = zip(a, b).map(*).reduce(0, +)
                #expect(abs(dot - (i == j ? 1 : 0)) < 1e-10)
            }
            let largest = try #require(a.max { abs($0) < abs($1) })
            #expect(largest > 0)
        }
        // Total variance is kept: the eigenvalues sum to the covariance trace.
        let n = Double(rows.count)
        var trace = 0.0
        for j in 0..<4 {
            let column = rows.map { $0[j] }
            let mean = column.reduce(0, +) / n
            trace += column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)
        }
        #expect(abs(pca.explainedVariance.reduce(0, +) - trace) < 1e-10)
    }

    @Test func transformCentresAndProjects() throws {
        let rows = dominantDirectionRows
        let pca = try PCA.fit(rows, componentCount: 2)
        let projected = pca.transform(rows)
        #expect(projected.allSatisfy { $0.count == 2 })
        let firstMean = projected.map { $0[0] }.reduce(0, +) / Double(rows.count)
        #expect(abs(firstMean) < 1e-12)
    }

    @Test func recoversKnownEigenpairsWithTheSignConvention() throws {
        // +-a e1, +-b e2, +-c e3 with e1 = (1, -1, 0)/sqrt 2, e2 = (1, 1, 0)/sqrt 2, e3 = (0, 0, 1):
        // the sample covariance has eigenvalues 2 a^2/5, 2 b^2/5, 2 c^2/5 = 2, 1, 0.5 along them.
        let r = 0.5.squareRoot()
        let directions: [(scale: Double, vector: [Double])] = [
            (5.0.squareRoot(), [r, -r, 0]), (2.5.squareRoot(), [r, r, 0]), (1.25.squareRoot(), [0, 0, 1]),
        ]
        let rows = directions.flatMap { d in [1.0, -1.0].map { sign in d.vector.map { sign * d.scale * $0 } } }
        let pca = try PCA.fit(rows, componentCount: 3)
        #expect(maximumDifference(pca.explainedVariance, [2, 1, 0.5]) < 1e-14)
        // A tie in magnitude: the first largest entry is made positive.
        for (component, direction) in zip(pca.components, directions) {
            #expect(maximumDifference(component, direction.vector) < 1e-14)
        }
    }

    @Test func rejectsImpossibleWidths() {
        let rows: [[Double]] = [[1, 2], [3, 5], [4, 4]]
        #expect(throws: DatasetError.componentCountOutOfRange(requested: 3, featureCount: 2)) {
            try PCA.fit(rows, componentCount: 3)
        }
        #expect(throws: DatasetError.componentCountOutOfRange(requested: 0, featureCount: 2)) {
            try PCA.fit(rows, componentCount: 0)
        }
    }
}
