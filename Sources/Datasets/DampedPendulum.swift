import Foundation

/// The damped pendulum benchmark: theta'' = -(b/m) theta' - (g/L) sin(theta), sampled as theta'(t).
///
/// The defaults are the paper's (REFERENCE.md, "Data recipes"). The equation is integrated with
/// classical RK4 in `Double`, `stepsPerSample` fixed steps between consecutive samples, so every
/// sample lands exactly on its time: with 64 steps the series agrees with a DOP853 solution at
/// tolerance 1e-12 to about 1e-10.
public struct DampedPendulum: Sendable, Codable, Equatable {
    /// Damping coefficient b.
    public var damping: Double
    /// Mass m.
    public var mass: Double
    /// Gravitational acceleration g.
    public var gravity: Double
    /// Pendulum length L.
    public var length: Double
    /// theta(0) in radians.
    public var initialAngle: Double
    /// theta'(0) in radians per second.
    public var initialAngularVelocity: Double
    /// Samples are at linspace(0, duration, sampleCount).
    public var duration: Double
    public var sampleCount: Int
    /// RK4 steps between two samples.
    public var stepsPerSample: Int

    public init(
        damping: Double = 0.15,
        mass: Double = 1,
        gravity: Double = 9.81,
        length: Double = 1,
        initialAngle: Double = 0,
        initialAngularVelocity: Double = 3,
        duration: Double = 20,
        sampleCount: Int = 240,
        stepsPerSample: Int = 64
    ) {
        self.damping = damping
        self.mass = mass
        self.gravity = gravity
        self.length = length
        self.initialAngle = initialAngle
        self.initialAngularVelocity = initialAngularVelocity
        self.duration = duration
        self.sampleCount = sampleCount
        self.stepsPerSample = stepsPerSample
    }

    /// Integrates the pendulum and returns theta'(t) as a univariate series named `omega`.
    ///
    /// - Throws: `DatasetError.invalidParameter` for a non-positive mass, length or duration,
    ///   fewer than 2 samples, fewer than 1 step per sample, or a non-finite parameter.
    /// - Complexity: O(sampleCount x stepsPerSample).
    public func series() throws(DatasetError) -> TimeSeries {
        try validate()
        let interval = duration / Double(sampleCount - 1)
        // numpy.linspace: i * step, with the last point exactly at the end.
        let times = (0..<sampleCount).map { $0 == sampleCount - 1 ? duration : Double($0) * interval }
        var state = (angle: initialAngle, velocity: initialAngularVelocity)
        var omega = [state.velocity]
        omega.reserveCapacity(sampleCount)
        for i in 1..<sampleCount {
            let h = (times[i] - times[i - 1]) / Double(stepsPerSample)
            for _ in 0..<stepsPerSample {
                state = rungeKuttaStep(state, h: h)
            }
            omega.append(state.velocity)
        }
        return try TimeSeries(univariate: omega, name: "omega", time: times)
    }

    private func acceleration(angle: Double, velocity: Double) -> Double {
        -(damping / mass) * velocity - (gravity / length) * sin(angle)
    }

    private func rungeKuttaStep(
        _ s: (angle: Double, velocity: Double),
        h: Double
    ) -> (angle: Double, velocity: Double) {
        let a1 = s.velocity
        let v1 = acceleration(angle: s.angle, velocity: s.velocity)
        let a2 = s.velocity + h / 2 * v1
        let v2 = acceleration(angle: s.angle + h / 2 * a1, velocity: a2)
        let a3 = s.velocity + h / 2 * v2
        let v3 = acceleration(angle: s.angle + h / 2 * a2, velocity: a3)
        let a4 = s.velocity + h * v3
        let v4 = acceleration(angle: s.angle + h * a3, velocity: a4)
        return (
            s.angle + h / 6 * (a1 + 2 * a2 + 2 * a3 + a4),
            s.velocity + h / 6 * (v1 + 2 * v2 + 2 * v3 + v4)
        )
    }

    private func validate() throws(DatasetError) {
        let finite: [(String, Double)] = [
            ("damping", damping), ("gravity", gravity), ("initialAngle", initialAngle),
            ("initialAngularVelocity", initialAngularVelocity),
        ]
        for (name, value) in finite where !value.isFinite {
            throw .invalidParameter(name: name, value: "\(value)", expected: "a finite number")
        }
        let positive: [(String, Double)] = [("mass", mass), ("length", length), ("duration", duration)]
        for (name, value) in positive where !(value > 0 && value.isFinite) {
            throw .invalidParameter(name: name, value: "\(value)", expected: "a positive finite number")
        }
        guard sampleCount >= 2 else {
            throw .invalidParameter(name: "sampleCount", value: "\(sampleCount)", expected: "at least 2")
        }
        guard stepsPerSample >= 1 else {
            throw .invalidParameter(name: "stepsPerSample", value: "\(stepsPerSample)", expected: "at least 1")
        }
    }
}
