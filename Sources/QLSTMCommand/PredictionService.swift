import Cluster
import Datasets
import Foundation
import HTTPServer
import QLSTM
import QLSTMCluster
import Synchronization

/// What `qlstm serve` answers: `POST /predict` (a regressor's forecasts, or a classifier's
/// classes and probabilities), `GET /health` and `GET /model` for one run's model, which
/// SIGHUP replaces (`reload()`) without dropping a request.
///
/// Each request takes the model being served when it starts and keeps it to the end, so a
/// reload never mixes two models in one answer; the old model is freed when its last request
/// is answered.
final class PredictionService: Sendable {
    /// One loaded model and what its answers need.
    struct Served: Sendable {
        let model: LoadedModel
        /// The run directory's manifest.json, when it belongs to this model.
        let manifest: Result<[UInt8], ManifestMissing>
        let fingerprint: String
        let health: JSONValue
    }

    /// Why `GET /model` has nothing to show.
    struct ManifestMissing: Error {
        let reason: String
    }

    /// The run directory or model.json given with `--model`, read again on every reload (so a
    /// symbolic link switched to a newer run is followed).
    let path: String
    let threads: Int
    private let log: @Sendable (String) -> Void
    private let served: Mutex<Served>
    /// Whether a reload runs, and whether another was asked for meanwhile.
    private let reloads = Mutex((running: false, again: false))

    /// Loads the model at `path`.
    /// - Throws: `CommandLineError` for a missing or damaged model file.
    init(path: String, threads: Int, log: @escaping @Sendable (String) -> Void) async throws {
        self.path = path
        self.threads = threads
        self.log = log
        served = Mutex(try await Self.load(path, threads: threads))
    }

    /// The model being served.
    var current: Served { served.withLock { $0 } }

    static func load(_ path: String, threads: Int) async throws -> Served {
        let model = try await LoadedModel.load(path, threads: threads)
        let specification = model.file.specification
        let fingerprint = model.file.fingerprint ?? "none"
        var isDirectory: ObjCBool = false
        let isRunDirectory =
            FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        let directory =
            isRunDirectory ? URL(fileURLWithPath: path) : URL(fileURLWithPath: path).deletingLastPathComponent()
        let manifestURL = directory.appendingPathComponent("manifest.json")
        let manifest: Result<[UInt8], ManifestMissing>
        if let bytes = FileManager.default.contents(atPath: manifestURL.path).map(Array.init) {
            // A manifest beside a copied model.json may be another run's.
            if case .object(let members) = try? JSONValue.parse(bytes), members["fingerprint"] == .string(fingerprint) {
                manifest = .success(bytes)
            } else {
                manifest = .failure(
                    ManifestMissing(reason: "\(manifestURL.path) describes another run than the model served")
                )
            }
        } else {
            manifest = .failure(ManifestMissing(reason: "\(directory.path) holds no manifest.json beside the model"))
        }
        let trained = model.file.trainedOn
        let health = JSONValue.object([
            ("status", .string("ok")),
            ("fingerprint", .string(fingerprint)),
            ("model", .string(specification.model.label)),
            ("target", .string(trained?.target ?? "")),
            ("features", .array((trained?.features ?? []).map(JSONValue.string))),
            ("window", .integer(model.windowLength)),
            ("horizon", .integer(specification.data.windows.horizon)),
            ("epochs", .integer(model.file.checkpoint.completedEpochs)),
            ("loaded", .string(Date().formatted(.iso8601))),
        ])
        return Served(model: model, manifest: manifest, fingerprint: fingerprint, health: health)
    }

    /// Loads the model at `path` again and serves it from the next request on; when it cannot
    /// be loaded, keeps serving the current one. One reload at a time: a SIGHUP during a reload
    /// makes it load once more when it ends, so the last signal always sees the path's latest
    /// run.
    func reload() async {
        let starts = reloads.withLock { state in
            if state.running { state.again = true }
            defer { state.running = true }
            return !state.running
        }
        guard starts else {
            log("SIGHUP during a reload: loading again when it ends")
            return
        }
        repeat {
            let old = current.fingerprint
            do {
                let fresh = try await Self.load(path, threads: threads)
                served.withLock { $0 = fresh }
                log("reloaded \(path): serving model \(fresh.fingerprint) (was \(old))")
            } catch {
                log("reload of \(path) failed, still serving model \(old): \(error)")
            }
        } while reloads.withLock { state in
            defer { state.again = false }
            state.running = state.again
            return state.again
        }
    }

    /// The head check for `--secret-file`: every request must carry the secret as a bearer
    /// token; `nil` (no check) without a secret.
    static func check(secret: SharedSecret?) -> HTTPServer.HeadCheck? {
        guard let secret else { return nil }
        return { head in
            let challenge: HTTPHeaders = ["WWW-Authenticate": "Bearer realm=\"qlstm\""]
            guard let value = head.headers["Authorization"] else {
                return .error(
                    401,
                    "this server requires its shared secret: send 'Authorization: Bearer SECRET' with the contents of the secret file",
                    headers: challenge
                )
            }
            let parts = value.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer",
                secret.isBearerToken(Array(parts[1].trimmingCharacters(in: .whitespaces).utf8))
            else {
                return .error(401, "the bearer token is not this server's secret", headers: challenge)
            }
            return nil
        }
    }

    /// Routes a request.
    func respond(to request: HTTPRequest) async -> HTTPResponse {
        let served = current
        switch request.path {
        case "/predict":
            guard request.method == "POST" else { return Self.wrongMethod(request, allowed: ["POST"]) }
            return await predict(request.body, with: served)
        case "/health":
            guard ["GET", "HEAD"].contains(request.method) else {
                return Self.wrongMethod(request, allowed: ["GET", "HEAD"])
            }
            return .json(served.health)
        case "/model":
            guard ["GET", "HEAD"].contains(request.method) else {
                return Self.wrongMethod(request, allowed: ["GET", "HEAD"])
            }
            switch served.manifest {
            case .success(let bytes):
                return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: bytes)
            case .failure(let missing):
                return .error(404, missing.reason)
            }
        default:
            return .error(
                404,
                "no such path \(request.path): this server answers POST /predict, GET /health and GET /model"
            )
        }
    }

    private static func wrongMethod(_ request: HTTPRequest, allowed: [String]) -> HTTPResponse {
        .error(
            405,
            "\(request.path) takes \(allowed.joined(separator: " or ")), not \(request.method)",
            headers: ["Allow": allowed.joined(separator: ", ")]
        )
    }

    private func predict(_ body: [UInt8], with served: Served) async -> HTTPResponse {
        let windows: [[[Double]]]
        do {
            windows = try Self.windows(in: try JSONValue.parse(body), for: served.model)
        } catch {
            return .error(400, "\(error)")
        }
        let answer: JSONValue
        do {
            answer =
                served.model.file.specification.data.classes == nil
                ? try await Self.forecasts(of: windows, by: served.model)
                : try await Self.classes(of: windows, by: served.model)
        } catch let error as ForecastError {
            // Windows this model cannot read (a target it does not get as an input).
            return .error(400, "\(error)")
        } catch let error as DatasetError {
            // Values its transform cannot take (a logarithm of a value <= 0).
            return .error(400, "\(error)")
        } catch let error as Diverged {
            return .error(500, "\(error)")
        } catch {
            log("a prediction failed: \(error)")
            return .error(500, "the prediction failed: \(error)")
        }
        return .json(answer, headers: ["QLSTM-Model": served.fingerprint])
    }

    /// A regressor's answer: `{"predictions": [p_1, ...]}`, one forecast per window.
    private static func forecasts(of windows: [[[Double]]], by model: LoadedModel) async throws -> JSONValue {
        let predictions = try await model.forecast(windows)
        if let index = predictions.firstIndex(where: { !$0.isFinite }) {
            throw Diverged(window: index, value: "prediction", number: predictions[index])
        }
        return .object([("predictions", .array(predictions.map(JSONValue.number)))])
    }

    /// A classifier's answer: `{"classes": [c_1, ...], "probabilities": [[p_0, ..., p_K-1], ...]}`,
    /// per window the predicted class and the probability of each class, as `qlstm predict`
    /// writes `predicted_class` and `probability_k`.
    private static func classes(of windows: [[[Double]]], by model: LoadedModel) async throws -> JSONValue {
        let predictions = try await model.classify(windows)
        for (index, prediction) in predictions.enumerated() {
            if let probability = prediction.probabilities.first(where: { !$0.isFinite }) {
                throw Diverged(window: index, value: "class probability", number: probability)
            }
        }
        return .object([
            ("classes", .array(predictions.map { .integer($0.predicted) })),
            ("probabilities", .array(predictions.map { .array($0.probabilities.map(JSONValue.number)) })),
        ])
    }

    /// A model whose answer holds a number JSON cannot hold.
    struct Diverged: Error, CustomStringConvertible {
        let window: Int
        let value: String
        let number: Double

        var description: String {
            "the model's \(value) for windows[\(window)] is \(number), which JSON cannot hold: the model has diverged; retrain it"
        }
    }

    /// A request that is JSON but not a batch of windows this model reads.
    struct BadWindows: Error, CustomStringConvertible {
        let description: String
    }

    /// The windows of a `/predict` body: `{"windows": [w, ...]}`, each `w` the model's window
    /// length of rows, a row a number (one feature) or an array of one number per feature.
    static func windows(in document: JSONValue, for model: LoadedModel) throws(BadWindows) -> [[[Double]]] {
        let length = model.windowLength
        let features = model.featureCount
        let names = model.file.trainedOn.map { " (\($0.features.joined(separator: ", ")))" } ?? ""
        let shape =
            features == 1
            ? "{\"windows\": [[x_1, ..., x_\(length)], ...]}"
            : "{\"windows\": [[[\(features) values], ... \(length) rows], ...]}"
        guard case .object(let members) = document else {
            throw BadWindows(description: "the body is \(document.kindDescription); send \(shape)")
        }
        if let key = members.keys.sorted().first(where: { $0 != "windows" }) {
            throw BadWindows(description: "unknown key \"\(key)\": the body holds only \"windows\": \(shape)")
        }
        guard let list = members["windows"] else {
            throw BadWindows(description: "the body has no \"windows\": send \(shape)")
        }
        guard case .array(let windows) = list else {
            throw BadWindows(
                description: "\"windows\" is \(list.kindDescription), not an array of windows: send \(shape)"
            )
        }
        guard !windows.isEmpty else { throw BadWindows(description: "\"windows\" is empty: send at least one window") }
        func number(_ value: JSONValue, at path: String) throws(BadWindows) -> Double {
            guard case .number(let x) = value else {
                throw BadWindows(description: "\(path) is \(value.kindDescription), not a number")
            }
            return x
        }
        var result: [[[Double]]] = []
        result.reserveCapacity(windows.count)
        for (w, window) in windows.enumerated() {
            guard case .array(let steps) = window else {
                throw BadWindows(
                    description:
                        "windows[\(w)] is \(window.kindDescription), not an array of \(length) rows: send \(shape)"
                )
            }
            guard steps.count == length else {
                throw BadWindows(
                    description: "windows[\(w)] has \(steps.count) rows; the model reads windows of \(length)"
                )
            }
            var rows: [[Double]] = []
            rows.reserveCapacity(length)
            for (t, step) in steps.enumerated() {
                let path = "windows[\(w)][\(t)]"
                if case .array(let values) = step {
                    guard values.count == features else {
                        throw BadWindows(
                            description:
                                "\(path) has \(values.count) values; the model reads \(features) per row\(names)"
                        )
                    }
                    var row: [Double] = []
                    for (k, value) in values.enumerated() { row.append(try number(value, at: "\(path)[\(k)]")) }
                    rows.append(row)
                } else if features == 1 {
                    rows.append([try number(step, at: path)])
                } else {
                    throw BadWindows(
                        description: "\(path) is \(step.kindDescription), not a row of \(features) values\(names)"
                    )
                }
            }
            result.append(rows)
        }
        return result
    }
}
