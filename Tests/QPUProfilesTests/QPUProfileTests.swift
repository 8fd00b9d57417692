import Foundation
import QPUProfiles
import Testing
import VariationalCircuits

@Suite("QPU profiles")
struct QPUProfileTests {
    /// A valid profile file's object, to break one key at a time.
    static func object(_ changes: [String: Any] = [:]) -> [String: Any] {
        var object = QPUProfile.superconducting.jsonObject
        object["name"] = "test-qpu"
        for (key, value) in changes { object[key] = value }
        return object
    }

    static func parse(_ object: [String: Any]) throws(QPUProfileError) -> QPUProfile {
        let data = try! JSONSerialization.data(withJSONObject: object)
        return try QPUProfile(json: data, path: "qpu.json")
    }

    @Test("the built-ins are valid, named uniquely, and one of them is ideal")
    func builtIns() throws {
        for profile in QPUProfile.builtIns { try profile.validate() }
        #expect(Set(QPUProfile.builtIns.map(\.name)).count == QPUProfile.builtIns.count)
        #expect(QPUProfile.ideal.isIdeal)
        #expect(QPUProfile.builtIns.filter(\.isIdeal).count == 1)
        #expect(try QPUProfile.load("trapped-ion-aria") == QPUProfile.trappedIon)
    }

    @Test("a profile file round-trips through its JSON object and through Codable")
    func roundTrip() throws {
        let profile = try Self.parse(Self.object())
        #expect(profile.name == "test-qpu" && profile.shots == 4096 && profile.t1Seconds == 160e-6)
        let encoded = try JSONEncoder().encode(profile)
        #expect(try JSONDecoder().decode(QPUProfile.self, from: encoded) == profile)
        let exact = try Self.parse(Self.object(["shots": NSNull(), "t1_seconds": NSNull(), "t2_seconds": NSNull()]))
        #expect(exact.shots == nil && exact.t1Seconds == nil)
    }

    @Test("every bad profile names the key and the rule")
    func badProfiles() {
        let cases: [([String: Any], String)] = [
            (["t2_seconds": 400e-6], "\"t2_seconds\" is 0.0004, expected T2 <= 2 T1"),
            (["gate_error_2q": 1.5], "\"gate_error_2q\" is 1.5, expected a probability in [0, 1]"),
            (["readout_error_0to1": -0.1], "\"readout_error_0to1\""),
            (["gate_eror_1q": 0.1], "unknown key \"gate_eror_1q\"; did you mean \"gate_error_1q\"?"),
            (["shots": 0], "\"shots\" is 0"),
            (["qubits": "five"], "\"qubits\" must be a number"),
            (["job_seconds": true], "\"job_seconds\" must be a number"),
            (["name": "my qpu!"], "\"name\""),
            (["t1_seconds": NSNull()], "give both t1_seconds and t2_seconds"),
        ]
        for (changes, message) in cases {
            #expect(throws: QPUProfileError.self) { try Self.parse(Self.object(changes)) }
            do {
                _ = try Self.parse(Self.object(changes))
            } catch {
                #expect(error.description.contains(message), "\(changes): \(error)")
                #expect(!error.description.contains("\n"))
            }
        }
        var missing = Self.object()
        missing["shot_seconds"] = nil
        #expect(throws: QPUProfileError.missingKey(profile: "qpu.json", key: "shot_seconds")) {
            try Self.parse(missing)
        }
    }

    @Test("an unknown name lists the built-ins and suggests the nearest")
    func unknownName() {
        #expect(throws: QPUProfileError.self) { try QPUProfile.load("trapped-ion-arya") }
        do {
            _ = try QPUProfile.load("trapped-ion-arya")
        } catch {
            #expect(error.description.contains("did you mean 'trapped-ion-aria'"))
            #expect(error.description.contains("ideal, superconducting-heron"))
        }
    }

    @Test("modelled time: the paper's circuit schedules its layers; a request adds the job and every shot")
    func timing() throws {
        // 3 qubits, depth 1: H and RY(x) per wire (2 single-qubit layers), CNOT(0,1) then
        // CNOT(1,2) (two 2-qubit layers), RY per wire (wire 0's RY runs beside CNOT(1,2)).
        let circuit = try SubVQC(
            id: "t",
            qubitCount: 3,
            inputCount: 3,
            ansatz: Ansatz(depth: 1),
            measuredWires: [0, 1, 2]
        )
        let profile = QPUProfile(
            name: "t",
            qubits: 3,
            gateSeconds1q: 1,
            gateSeconds2q: 10,
            jobSeconds: 100,
            shotSeconds: 0.5
        )
        #expect(profile.circuitSeconds(circuit) == 1 + 1 + 10 + 10 + 1)
        #expect(profile.requestSeconds(runs: [(count: 2, circuitSeconds: 23)], shots: 10) == 100 + 2 * 10 * 23.5)
        #expect(profile.requestSeconds(runs: [(count: 2, circuitSeconds: 23)], shots: nil) == 100 + 2 * 23.5)
    }
}
