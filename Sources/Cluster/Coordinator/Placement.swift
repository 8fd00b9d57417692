/// Which worker evaluates which items of a batch.
///
/// Items of one circuit are kept together in chunks of up to `chunkSize` (a worker evaluates a
/// chunk as the lanes of one state buffer); chunks go, largest first, to the capable worker that
/// would finish them soonest given its QPU slots. Any assignment gives the same results: an
/// item's result depends only on the item.
enum Placement {
    /// A worker as placement sees it.
    struct Candidate {
        let worker: Int
        let slots: Int
        /// Whether this worker holds the circuit of that global index.
        let holds: (Int) -> Bool
    }

    /// Deals `items` (indices into a batch) to candidates; items no candidate holds come back apart.
    /// - Parameters:
    ///   - circuitOf: the global circuit index of an item.
    ///   - cost: the estimated work of one item of a circuit.
    static func assign(
        _ items: [Int],
        circuitOf: (Int) -> Int,
        cost: (Int) -> Double,
        to candidates: [Candidate],
        chunkSize: Int = 16
    ) -> (assignment: [Int: [Int]], unplaceable: [Int]) {
        var byCircuit: [Int: [Int]] = [:]
        var order: [Int] = []
        for item in items {
            let circuit = circuitOf(item)
            if byCircuit[circuit] == nil { order.append(circuit) }
            byCircuit[circuit, default: []].append(item)
        }
        var chunks: [(circuit: Int, items: [Int])] = []
        for circuit in order {
            let all = byCircuit[circuit]!
            for start in stride(from: 0, to: all.count, by: chunkSize) {
                chunks.append((circuit, Array(all[start..<min(start + chunkSize, all.count)])))
            }
        }
        // Largest first (stable for equal sizes), the classic greedy balance.
        chunks = chunks.enumerated().sorted { a, b in
            let ca = cost(a.element.circuit) * Double(a.element.items.count)
            let cb = cost(b.element.circuit) * Double(b.element.items.count)
            return ca > cb || (ca == cb && a.offset < b.offset)
        }.map(\.element)
        var finish = [Int: Double]()
        var assignment = [Int: [Int]]()
        var unplaceable: [Int] = []
        for chunk in chunks {
            let work = cost(chunk.circuit) * Double(chunk.items.count)
            let capable = candidates.filter { $0.holds(chunk.circuit) }
            guard
                let best = capable.min(by: { a, b in
                    let ta = finish[a.worker, default: 0] + work / Double(a.slots)
                    let tb = finish[b.worker, default: 0] + work / Double(b.slots)
                    return ta < tb || (ta == tb && a.worker < b.worker)
                })
            else {
                unplaceable += chunk.items
                continue
            }
            finish[best.worker, default: 0] += work / Double(best.slots)
            assignment[best.worker, default: []] += chunk.items
        }
        return (assignment, unplaceable)
    }
}
