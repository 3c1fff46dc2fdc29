/// What a run of mini-batch steps uses besides the data: η (which a schedule may change
/// between runs), the regularisation, the optimiser, dropout and where the steps sit (the
/// epoch, for the dropout masks).
package struct StepSettings {
    /// Learning rate η.
    package var eta: Float
    /// L2 λ (0: none).
    package var lambda: Float = 0
    /// L1 λ₁ (0: none).
    package var l1: Float = 0
    /// Momentum μ (0: plain SGD).
    package var momentum: Float = 0
    /// Nesterov's form of momentum.
    package var nesterov = false
    /// Dropout probability p of hidden units (0: none).
    package var dropout: Float = 0
    /// The run's seed: the dropout masks' key.
    package var seed: UInt64 = 0
    /// The epoch the steps belong to (1-based): part of the dropout masks' key.
    package var epoch = 1
    /// The velocity v, (parameter count), with momentum; updated in place.
    package var velocity: AlignedBuffer?
    /// n in the decay 1 − ηλ/n and in L1's ηλ₁/n: the training split's size (nil: the data's
    /// count; a stream's run buffer holds only the run's samples).
    package var sampleCount: Int?
    /// The position in the epoch's order of the run's order[0] (0 in memory; a stream's run
    /// buffer starts at its first step's position): the dropout masks' key.
    package var firstPosition = 0

    package init(
        eta: Float, lambda: Float = 0, l1: Float = 0, momentum: Float = 0, nesterov: Bool = false, dropout: Float = 0,
        seed: UInt64 = 0, epoch: Int = 1, velocity: AlignedBuffer? = nil
    ) {
        self.eta = eta
        self.lambda = lambda
        self.l1 = l1
        self.momentum = momentum
        self.nesterov = nesterov
        self.dropout = dropout
        self.seed = seed
        self.epoch = epoch
        self.velocity = velocity
    }
}
