import TensorCore

/// A network that predicts ε or v from x_t: the samplers' view of a model.
public protocol Denoiser: AnyObject {
    /// The label of the unconditional ("null") class, or nil for an unconditional model.
    var nullLabel: Int? { get }
    /// The raw model output for x_t [N, …] at model timesteps [N] with class labels [N] (nil: the
    /// null class for every sample; an unconditional model accepts only nil).
    func predict(_ xt: Tensor, timesteps: [Int], labels: [Int]?) -> Tensor
}

/// Classifier-free guidance (Ho & Salimans, "Classifier-Free Diffusion Guidance", 2022):
///
///     pred = uncond + w·(cond − uncond)
///
/// where cond is the prediction with `labels` and uncond with the null class. w = 0 is the
/// unconditional prediction (the conditional pass is skipped, so it is exactly the
/// unconditional output), w = 1 the conditional one (the unconditional pass is skipped), w > 1
/// sharpens toward the class. Otherwise both passes run as one batch of 2N. With `labels` nil
/// (or an unconditional model) this is the plain prediction.
public func guidedPrediction(_ model: Denoiser, _ xt: Tensor, timesteps: [Int], labels: [Int]?, guidance w: Float) -> Tensor {
    guard let labels, let null = model.nullLabel else { return model.predict(xt, timesteps: timesteps, labels: nil) }
    if w == 0 { return model.predict(xt, timesteps: timesteps, labels: nil) }
    if w == 1 { return model.predict(xt, timesteps: timesteps, labels: labels) }
    let n = xt.shape[0]
    let both = model.predict(Tensor.concat([xt, xt], axis: 0), timesteps: timesteps + timesteps,
                             labels: labels + [Int](repeating: null, count: n))
    return guidanceCombination(conditional: both.slice(axis: 0, 0..<n), unconditional: both.slice(axis: 0, n..<(2 * n)), guidance: w)
}

/// uncond + w·(cond − uncond), elementwise (tensors of equal shape).
public func guidanceCombination(conditional c: Tensor, unconditional u: Tensor, guidance w: Float) -> Tensor {
    precondition(c.shape == u.shape, "guidance: shapes \(c.shape) and \(u.shape)")
    return withNoGrad { u + (c - u) * w }
}
