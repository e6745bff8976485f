/// The learning rate of each epoch: constant for the first `constantEpochs` epochs, then divided
/// by `decay` after every further epoch (the paper's PTB schedule, the-paper §4: η = 1 for 10 epochs,
/// then ÷1.1 after each epoch):
///
///     η(e) = η₀                               for e ≤ k        (epochs count from 1)
///     η(e) = η₀ / decay^(e − k)               for e > k
public struct LearningRateSchedule: Sendable, Equatable, CustomStringConvertible {
    /// η₀, the rate of the first epoch.
    public var initial: Double
    /// k, the number of epochs at η₀.
    public var constantEpochs: Int
    /// The divisor applied after each epoch beyond k (1 = constant rate).
    public var decay: Double

    /// - Precondition: initial > 0, constantEpochs ≥ 0, decay ≥ 1 (validate user input first).
    public init(initial: Double, constantEpochs: Int = 10, decay: Double = 1.1) {
        precondition(initial > 0 && initial.isFinite, "LearningRateSchedule: the initial rate must be positive, got \(initial)")
        precondition(constantEpochs >= 0, "LearningRateSchedule: constantEpochs must be ≥ 0, got \(constantEpochs)")
        precondition(decay >= 1 && decay.isFinite, "LearningRateSchedule: decay must be ≥ 1, got \(decay)")
        self.initial = initial
        self.constantEpochs = constantEpochs
        self.decay = decay
    }

    /// The paper's schedule with initial rate `initial`: constant for 10 epochs, then ÷1.1.
    public static func paper(initial: Double = 1) -> LearningRateSchedule {
        LearningRateSchedule(initial: initial, constantEpochs: 10, decay: 1.1)
    }

    /// η(epoch) for a 1-based epoch. Computed as repeated division, η₀ / d / d / …, so that it
    /// matches PyTorch's `lr /= 1.1` in the training loop bit for bit.
    public func rate(epoch: Int) -> Double {
        precondition(epoch >= 1, "LearningRateSchedule.rate: epochs count from 1, got \(epoch)")
        var eta = initial
        if epoch > constantEpochs { for _ in 0 ..< (epoch - constantEpochs) { eta /= decay } }
        return eta
    }

    public var description: String {
        decay == 1 ? "η = \(initial)" : "η = \(initial) for \(constantEpochs) epochs, then ÷\(decay) per epoch"
    }
}
