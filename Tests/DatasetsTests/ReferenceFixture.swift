import Foundation

/// The reference series in Fixtures/datasets.json (pendulum by DOP853 at 1e-12, NARMA by the
/// authors' recursion), decoded once for all tests.
struct ReferenceFixture: Decodable {
    struct Pendulum: Decodable {
        let recipe: String
        let t: [Double]
        let omega: [Double]
    }
    struct Narma: Decodable {
        let recipe: String
        let u: [Double]
        let y: [Double]
    }

    let pendulum: Pendulum
    let narma2: Narma
    let narma5: Narma
    let narma10: Narma

    static let shared: ReferenceFixture? = {
        guard let url = Bundle.module.url(forResource: "datasets", withExtension: "json", subdirectory: "Fixtures"),
            let data = try? Data(contentsOf: url)
        else { return nil }
        return try? JSONDecoder().decode(ReferenceFixture.self, from: data)
    }()

    func narma(order: Int) -> Narma? {
        switch order {
        case 2: narma2
        case 5: narma5
        case 10: narma10
        default: nil
        }
    }
}

/// The largest absolute difference between two equally long sequences (infinity otherwise).
func maximumDifference(_ a: [Double], _ b: [Double]) -> Double {
    guard a.count == b.count else { return .infinity }
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
