import Datasets
import QLSTM

extension RunSpecification {
    /// The classes of a classification specification fitted on its loaded data (the direction
    /// for K = 2, quantiles of the training windows' moves for K >= 3); `nil` for regression.
    ///
    /// A classification run's specification says so three ways that always agree: its data
    /// holds these classes, its model has K outputs (one logit per class) and its loss is
    /// cross-entropy. All three are in the run's fingerprint.
    /// - Throws: `DatasetError.classesDoNotFit` when a class would hold no training window.
    public func fittedClasses(to data: (series: TimeSeries, dataset: WindowedDataset)) throws -> MoveClasses? {
        guard training.loss.isClassification else { return nil }
        return try MoveClasses.fitted(count: model.outputs, to: data.dataset, of: data.series)
    }

    /// What disagrees among the classes, the model's outputs and the loss, for a model file
    /// whose parts no longer tell one story; `nil` when they agree.
    public var objectiveMismatch: String? {
        let outputs = model.outputs
        switch (data.classes, training.loss.isClassification) {
        case (nil, false) where outputs == 1, (.some, true) where outputs == data.classes?.count:
            return nil
        case (nil, _):
            return "a model of \(outputs) outputs trained on \(training.loss.rawValue) without classes"
        case (let classes?, _):
            return "\(classes.count) classes but \(outputs) model outputs and the \(training.loss.rawValue) loss"
        }
    }
}
