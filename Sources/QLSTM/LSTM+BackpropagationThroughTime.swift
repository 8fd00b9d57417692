extension LSTM {
    /// What a forward pass over a batch computed, kept for `backward`.
    public struct ForwardPass: Sendable {
        /// The head's outputs, `batch x outputs` row-major: one prediction per sequence, or its
        /// K logits.
        public let predictions: [Double]
        /// The number of sequences.
        public let batch: Int
        /// The number of elements per sequence.
        public let timeSteps: Int
        /// What the head read: `batch x d_h`, or `batch x 2 d_h` as [h_primary ; h_second].
        public let finalHidden: [Double]
        /// Per reading (primary, then second), its steps in reading order.
        let readings: [Reading]
    }

    /// One reading of the batch: the cell steps and gate-map caches, in reading order.
    struct Reading: Sendable {
        var steps: [LSTMCellStep] = []
        var caches: [Gates.Cache] = []
        /// With cell output maps, per step: VQC5's cache, or at the last step VQC6's.
        var outputCaches: [CellOutputMaps.Cache] = []
        /// What the head reads from this reading: h_T, or y_T with cell output maps.
        var final: [Double] = []
    }

    /// Reads a batch of sequences and gives the head's outputs for each.
    ///
    /// Time steps run in order, one `preactivations` call per step and reading, so a remote gate
    /// map makes T round trips per reading (2T when bidirectional).
    /// - Parameters:
    ///   - sequences: `batch x T x d_x`, row-major: element `t` of sequence `b` starts at
    ///     `(b * T + t) * d_x`. T is `sequences.count / (batch * d_x)`.
    ///   - batch: The number of sequences.
    ///   - context: How the pass evaluates circuits: with a differentiation method when
    ///     `backward` will follow (a classical model ignores it).
    /// - Returns: The predictions and everything `backward` needs.
    /// - Throws: `QLSTMError` for a batch below 1 or a count that is not a positive multiple of
    ///   `batch * d_x`; whatever the gate map throws.
    public func forward(_ sequences: [Double], batch: Int, context: EvaluationContext) async throws -> ForwardPass {
        guard batch >= 1 else {
            throw QLSTMError.invalidParameter(name: "batch", value: batch, expected: "at least 1")
        }
        let elementsPerStep = batch * inputWidth
        guard !sequences.isEmpty, sequences.count % elementsPerStep == 0 else {
            throw QLSTMError.invalidParameter(
                name: "sequence value count",
                value: sequences.count,
                expected: "a positive multiple of batch x d_x = \(batch) x \(inputWidth)"
            )
        }
        let timeSteps = sequences.count / elementsPerStep
        var readings = [
            try await read(sequences, batch: batch, timeSteps: timeSteps, with: gates, outputMaps, direction: 0, context)
        ]
        if let reverseGates {
            readings.append(
                try await read(
                    sequences,
                    batch: batch,
                    timeSteps: timeSteps,
                    with: reverseGates,
                    reverseOutputMaps,
                    direction: 1,
                    context
                )
            )
        }
        var finalHidden = readings[0].final
        if readings.count == 2 {
            finalHidden = RowMajor.joined(
                finalHidden,
                width: hiddenWidth,
                readings[1].final,
                width: hiddenWidth,
                rows: batch
            )
        }
        return ForwardPass(
            predictions: head.forward(finalHidden, batch: batch),
            batch: batch,
            timeSteps: timeSteps,
            finalHidden: finalHidden,
            readings: readings
        )
    }

    /// Backpropagates through time from dL/dprediction to every parameter.
    ///
    /// - Parameters:
    ///   - pass: What `forward` returned, with this model's parameters.
    ///   - dy: dL/dprediction, laid out as `predictions`.
    /// - Returns: dL/dparameters, laid out as `parameters`.
    public func backward(_ pass: ForwardPass, predictionGradient dy: [Double]) -> [Double] {
        precondition(
            dy.count == pass.batch * head.outputs,
            "expected \(pass.batch) x \(head.outputs) prediction gradients, got \(dy.count)"
        )
        let width = hiddenWidth
        var headGradient = [Double](repeating: 0, count: head.parameterCount)
        let dFinal = head.backward(input: pass.finalHidden, outputGradient: dy, batch: pass.batch, into: &headGradient)
        var gradient: [Double] = []
        gradient.reserveCapacity(parameterCount)
        for (index, reading) in pass.readings.enumerated() {
            let readingGates = index == 0 ? gates : reverseGates!
            let dh = RowMajor.columns(
                dFinal,
                rows: pass.batch,
                width: head.inputs,
                range: index * width..<(index + 1) * width
            )
            gradient += backpropagate(
                reading,
                through: readingGates,
                index == 0 ? outputMaps : reverseOutputMaps,
                finalGradient: dh,
                batch: pass.batch
            )
        }
        return gradient + headGradient
    }

    /// The loss over a batch and its gradient for every parameter.
    ///
    /// - Parameters:
    ///   - loss: The loss, averaged over the batch.
    ///   - sequences: `batch x T x d_x`, as for `forward`.
    ///   - targets: One target per sequence (a class index for cross-entropy); the batch size
    ///     is its count.
    ///   - context: How the pass evaluates circuits; its method gives the Jacobians.
    public func lossAndGradient(
        _ loss: Loss,
        sequences: [Double],
        targets: [Double],
        context: EvaluationContext
    ) async throws -> (loss: Double, gradient: [Double]) {
        let pass = try await forward(sequences, batch: targets.count, context: context)
        let dy = loss.gradient(predictions: pass.predictions, targets: targets)
        return (loss.value(predictions: pass.predictions, targets: targets), backward(pass, predictionGradient: dy))
    }

    /// One reading of every sequence, in this model's order for `direction`.
    ///
    /// With cell output maps each step makes a second executor call after the gates': VQC5 on
    /// s_t = o_t * tanh(C_t) for the next hidden state, or at the last step VQC6 for y_T.
    private func read(
        _ sequences: [Double],
        batch: Int,
        timeSteps: Int,
        with readingGates: Gates,
        _ maps: CellOutputMaps?,
        direction: Int,
        _ context: EvaluationContext
    ) async throws -> Reading {
        let cell = self.cell
        let reversed = inversward != (direction == 1)
        let expected = batch * readingGates.outputWidth
        var state = LSTMCellState(zeroBatch: batch, hiddenWidth: hiddenWidth)
        var reading = Reading()
        reading.steps.reserveCapacity(timeSteps)
        reading.caches.reserveCapacity(timeSteps)
        for k in 0..<timeSteps {
            let t = reversed ? timeSteps - 1 - k : k
            var x: [Double] = []
            x.reserveCapacity(batch * inputWidth)
            for b in 0..<batch {
                let start = (b * timeSteps + t) * inputWidth
                x.append(contentsOf: sequences[start..<start + inputWidth])
            }
            let v = RowMajor.joined(x, width: inputWidth, state.hidden, width: hiddenWidth, rows: batch)
            let position = SequencePosition(direction: direction, timeStep: k)
            let (z, cache) = try await readingGates.preactivations(v, batch: batch, position: position, context: context)
            guard z.count == expected else {
                throw QLSTMError.countMismatch(name: "gate pre-activations", expected: expected, found: z.count)
            }
            let step = cell.forward(preactivations: z, previousCell: state.cell, batch: batch)
            state = step.state
            reading.steps.append(step)
            reading.caches.append(cache)
            guard let maps else { continue }
            let last = k == timeSteps - 1
            let (values, mapCache) = try await maps.forward(
                step.state.hidden,
                batch: batch,
                stage: last ? .output : .hidden,
                position: position,
                context: context
            )
            reading.outputCaches.append(mapCache)
            if last {
                reading.final = values
            } else {
                state = LSTMCellState(hidden: values, cell: step.state.cell)
            }
        }
        if maps == nil { reading.final = state.hidden }
        return reading
    }

    /// Runs one reading backwards from dL/d(what the head read), returning the parameter
    /// gradient of its gate map, then of its output maps.
    ///
    /// With output maps, the gradient reaching step k's cell output s_k passes back through
    /// VQC6 at the last step and through VQC5 (which made h_k) before it.
    private func backpropagate(
        _ reading: Reading,
        through readingGates: Gates,
        _ maps: CellOutputMaps?,
        finalGradient: [Double],
        batch: Int
    ) -> [Double] {
        let cell = self.cell
        var parameterGradient = [Double](repeating: 0, count: readingGates.parameterCount)
        var mapsGradient = [Double](repeating: 0, count: maps?.parameterCount ?? 0)
        var dh = finalGradient
        var dc = [Double](repeating: 0, count: batch * hiddenWidth)
        for k in reading.steps.indices.reversed() {
            if let maps {
                dh = maps.backward(
                    cache: reading.outputCaches[k],
                    gradient: dh,
                    batch: batch,
                    parameterGradient: &mapsGradient
                )
            }
            let (dz, dPrevious) = cell.backward(reading.steps[k], hiddenGradient: dh, cellGradient: dc)
            let dv = readingGates.backward(
                cache: reading.caches[k],
                preactivationGradient: dz,
                batch: batch,
                parameterGradient: &parameterGradient
            )
            dh = RowMajor.columns(
                dv,
                rows: batch,
                width: readingGates.inputWidth,
                range: inputWidth..<readingGates.inputWidth
            )
            dc = dPrevious
        }
        return parameterGradient + mapsGradient
    }
}
