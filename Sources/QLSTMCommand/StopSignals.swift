import Dispatch
import Foundation
import Synchronization

/// SIGTERM and SIGINT for a long-running server (`qlstm worker`, `qlstm serve`): the first
/// stops it gracefully (answering what is running), a second exits at once, for an operator who
/// cannot wait. Other signals can be given their own handlers (SIGHUP reloads a model).
///
/// The signals are ignored, then delivered through Dispatch: their default actions would end
/// the process in the middle of requests. Handlers stay installed until `cancel()`.
struct StopSignals {
    private let sources: [any DispatchSourceSignal]

    /// - Parameters:
    ///   - stop: called on the first SIGTERM or SIGINT.
    ///   - secondSignal: called on the next one, just before the process exits with status 1.
    ///   - others: handlers of further signals, each called on every delivery.
    init(
        stop: @escaping @Sendable () -> Void,
        secondSignal: @escaping @Sendable () -> Void,
        others: [Int32: @Sendable () -> Void] = [:]
    ) {
        let received = Counter()
        var handlers: [(Int32, @Sendable () -> Void)] = [SIGTERM, SIGINT].map { number in
            (
                number,
                {
                    guard received.increment() == 1 else {
                        secondSignal()
                        exit(1)
                    }
                    stop()
                }
            )
        }
        handlers += others.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        sources = handlers.map { number, handler in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    /// Stops delivering the signals to the handlers.
    func cancel() {
        for source in sources { source.cancel() }
    }

    private final class Counter: Sendable {
        private let count = Atomic(0)

        /// Counts one more signal and returns the new count.
        func increment() -> Int { count.add(1, ordering: .relaxed).newValue }
    }
}
