/// "Did you mean ...?": the known name nearest to a misspelt one, for every error message that
/// names something unknown (options, commands, cluster.json keys, OpenQASM gates).
public enum Suggestion {
    /// The candidate nearest to `text` within `maximumDistance` edits, and with fewer edits than
    /// `text` has characters (so gibberish suggests nothing); ties go to the longer common
    /// prefix, then to the earlier candidate.
    public static func nearest(
        to text: String,
        among candidates: [String],
        maximumDistance: Int,
        ignoringCase: Bool = false
    ) -> String? {
        let normalize = { (s: String) in Array((ignoringCase ? s.lowercased() : s).unicodeScalars) }
        let typed = normalize(text)
        var best: (candidate: String, distance: Int, prefix: Int)?
        for candidate in candidates {
            let other = normalize(candidate)
            let distance = editDistance(typed, other)
            guard distance <= maximumDistance && distance < typed.count else { continue }
            let prefix = zip(typed, other).prefix { $0 == $1 }.count
            if let best, (best.distance, -best.prefix) <= (distance, -prefix) { continue }
            best = (candidate, distance, prefix)
        }
        return best?.candidate
    }

    /// Levenshtein distance over Unicode scalars.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        editDistance(Array(a.unicodeScalars), Array(b.unicodeScalars))
    }

    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
