import Foundation
import Testing

@Suite("qlstm simulate", .timeLimit(.minutes(1)))
struct SimulateCommandTests {
    let bell = """
        OPENQASM 3.0;
        include "stdgates.inc";
        qubit[3] q;
        bit[3] c;
        h q[0];
        cx q[0], q[1];
        ry(pi / 3) q[2];
        c = measure q;
        """

    @Test("exact <Z_i> and seeded counts as JSON")
    func json() throws {
        let directory = try QlstmBinary.temporaryDirectory()
        let file = directory.appendingPathComponent("bell.qasm")
        try bell.write(to: file, atomically: true, encoding: .utf8)

        let exact = try QlstmBinary.run(["simulate", file.path, "--json"])
        #expect(exact.status == 0)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(exact.standardOutput.utf8)) as? [String: Any]
        )
        let z = try #require(object["expectations_z"] as? [Double])
        #expect(z.count == 3)
        #expect(abs(z[0]) < 1e-15 && abs(z[1]) < 1e-15 && abs(z[2] - 0.5) < 1e-15)

        let sampled = try QlstmBinary.run(["simulate", file.path, "--json", "--shots", "4000", "--seed", "11"])
        let again = try QlstmBinary.run(["simulate", file.path, "--json", "--shots", "4000", "--seed", "11"])
        #expect(sampled.status == 0 && sampled.standardOutput == again.standardOutput)
        let sampledObject = try #require(
            try JSONSerialization.jsonObject(with: Data(sampled.standardOutput.utf8)) as? [String: Any]
        )
        let counts = try #require(sampledObject["counts"] as? [String: Int])
        #expect(counts.values.reduce(0, +) == 4000)
        // Bell pair on q[0], q[1]: only 00 and 11 there (the rightmost two bits).
        #expect(counts.keys.allSatisfy { $0.hasSuffix("00") || $0.hasSuffix("11") })
    }

    @Test("bad input: one line naming the problem, exit status 2")
    func badInput() throws {
        let directory = try QlstmBinary.temporaryDirectory()
        let file = directory.appendingPathComponent("bad.qasm")
        try "qubit[2] q;\nh q[0];\nreset q[1];\n".write(to: file, atomically: true, encoding: .utf8)
        let unsupported = try QlstmBinary.run(["simulate", file.path])
        #expect(unsupported.status == 2)
        #expect(unsupported.standardError.contains("line 3, column 1"))
        #expect(unsupported.standardError.split(separator: "\n").count == 1)

        let misspelt = try QlstmBinary.run(["simulate", file.path, "--shot", "10"])
        #expect(misspelt.status == 2 && misspelt.standardError.contains("did you mean --shots?"))

        let missing = try QlstmBinary.run(["simulate", directory.appendingPathComponent("none.qasm").path])
        #expect(missing.status == 2 && missing.standardError.contains("cannot read"))

        let zeroShots = try QlstmBinary.run(["simulate", file.path, "--shots", "0"])
        #expect(zeroShots.status == 2 && zeroShots.standardError.contains("out of range"))
    }
}
