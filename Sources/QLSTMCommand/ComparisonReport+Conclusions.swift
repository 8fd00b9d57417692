import QLSTM
import QLSTMCluster
import Reports

extension ComparisonReport {
    /// One model against another on test R^2 (balanced accuracy for classifiers) over the seeds.
    struct Contrast {
        let subject: Row
        let other: Row
        /// mean(subject) - mean(other).
        let difference: Double
        /// The Welch 95 % interval; `nil` with fewer than two seeds.
        let interval: MeanDifference?

        /// "within noise", "distributed higher", ...
        var verdict: String {
            guard let interval else { return "no interval with one seed" }
            if interval.isWithinNoise { return "within noise" }
            return interval.difference > 0 ? "higher, beyond noise" : "lower, beyond noise"
        }
    }

    /// The models the conclusions are about: the distributed QLSTMs (the paper's subject), or
    /// the first model when there is none.
    var subjects: [Row] {
        let distributed = rows.filter { $0.variant.model.kind == .qlstm && $0.variant.model.partitions > 1 }
        return distributed.isEmpty ? Array(rows.prefix(1)) : distributed
    }

    /// Each subject against every other model (each centric QLSTM, the LSTM, the ablation).
    func contrasts() -> [Contrast] {
        subjects.flatMap { subject in
            rows.filter { $0.variant.label != subject.variant.label }.map { other in
                let a = subject.summaries.compactMap(headlineTest)
                let b = other.summaries.compactMap(headlineTest)
                return Contrast(
                    subject: subject,
                    other: other,
                    difference: mean(a) - mean(b),
                    interval: MeanDifference(a, b)
                )
            }
        }
    }

    private func mean(_ values: [Double]) -> Double {
        values.reduce(0, +) / Double(max(values.count, 1))
    }

    private static func signed(_ value: Double) -> String {
        (value >= 0 ? "+" : "") + NumberText.fixed(value, decimals: 4)
    }

    /// One sentence per contrast, with the numbers it rests on.
    func sentence(_ contrast: Contrast) -> String {
        let a = Self.statistics(contrast.subject.summaries.compactMap(headlineTest))
        let b = Self.statistics(contrast.other.summaries.compactMap(headlineTest))
        let head =
            "\(contrast.subject.variant.title) against \(contrast.other.variant.title): test \(headlineName) \(a) against \(b), a difference of \(Self.signed(contrast.difference))"
        guard let interval = contrast.interval else {
            return head
                + " from one seed each: no interval is possible, so this says nothing about noise (give --seeds 3 or more)."
        }
        let freedom =
            interval.degreesOfFreedom.map { "Welch, \(NumberText.fixed($0, decimals: 1)) degrees of freedom" }
            ?? "no spread in either sample"
        let range = "95 % interval \(Self.signed(interval.lower)) to \(Self.signed(interval.upper)) (\(freedom))"
        if interval.isWithinNoise {
            return head + ", \(range): within noise; these seeds do not tell the two apart."
        }
        let direction = interval.difference > 0 ? "higher" : "lower"
        return head
            + ", \(range): beyond noise; on these seeds \(contrast.subject.variant.title) scores \(direction) than \(contrast.other.variant.title)."
    }

    /// The conclusions: which model validation would choose, and each contrast in words and as
    /// a table.
    func conclusionBlocks() -> [ReportBlock] {
        var paragraphs: [ReportBlock] = []
        if hasValidation {
            let best = rows.max {
                mean($0.summaries.compactMap(headlineValidation)) < mean($1.summaries.compactMap(headlineValidation))
            }
            if let best {
                paragraphs.append(
                    .paragraph(
                        "Chosen on validation: \(best.variant.title) has the highest mean validation \(headlineName) (\(Self.statistics(best.summaries.compactMap(headlineValidation)))); its test \(headlineName) is \(Self.statistics(best.summaries.compactMap(headlineTest)))."
                    )
                )
            }
        } else {
            paragraphs.append(
                .paragraph(
                    "No validation split: no model can be chosen without looking at the test windows, so the figures below are measurements, not a selection."
                )
            )
        }
        paragraphs += baselineConclusions()
        let contrasts = contrasts()
        paragraphs += contrasts.map { .paragraph(sentence($0)) }
        var table = Table(
            headers: [
                "model", "against", "difference of mean test \(headlineName)", "95 % interval (Welch)", "verdict",
            ],
            alignments: [.left, .left, .right, .right, .left],
            caption: "differences over \(NumberText.count(seeds, "seed")); within noise when the interval holds 0"
        )
        for contrast in contrasts {
            table.append([
                contrast.subject.variant.title,
                contrast.other.variant.title,
                Self.signed(contrast.difference),
                contrast.interval.map { "\(Self.signed($0.lower)) to \(Self.signed($0.upper))" } ?? "-",
                contrast.verdict,
            ])
        }
        return [.heading("Conclusions", level: 2)] + paragraphs + (contrasts.isEmpty ? [] : [.table(table)])
    }
}
