import Cluster

/// The options `qlstm worker` and `qlstm serve` share.
extension ParsedOptions {
    /// The required `--listen HOST:PORT` of a server command (`worker`, `serve`).
    /// - Parameter port: the port its examples show.
    func listenEndpoint(usage: String, examplePort port: Int) throws(CommandLineError) -> Endpoint {
        guard let text = string("listen") else {
            throw CommandLineError.missingArgument("--listen HOST:PORT", usage: usage)
        }
        do {
            return try Endpoint(parsing: text)
        } catch {
            throw CommandLineError.invalidValue(
                option: "--listen",
                value: text,
                expected: "HOST:PORT such as 127.0.0.1:\(port), [::1]:\(port) or 0.0.0.0:0"
            )
        }
    }

    /// The secret of `--secret-file`, if given.
    func secretFile() throws(CommandLineError) -> SharedSecret? {
        guard let path = string("secret-file") else { return nil }
        do {
            return try SharedSecret(contentsOfFile: path)
        } catch {
            throw CommandLineError.conflict("--secret-file: \(error)")
        }
    }
}
