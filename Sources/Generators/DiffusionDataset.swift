import Foundation
import Support
import TensorCore

/// An in-memory training set for diffusion: `images` [M, C, H, W] (already normalized, typically
/// to [−1, 1]) and optional class `labels` [M] (each in 0..<classCount). Empty sets are refused.
public struct DiffusionDataset: Sendable {
    public let images: Tensor
    public let labels: [Int]?

    public init(images: Tensor, labels: [Int]? = nil) throws {
        guard images.rank == 4 else { throw GeneratorError.invalidData("images must be [M, C, H, W], got \(images.shape)") }
        guard images.shape[0] > 0 && images.count > 0 else { throw GeneratorError.invalidData("no images") }
        if let labels {
            guard labels.count == images.shape[0] else {
                throw GeneratorError.invalidData("\(labels.count) labels for \(images.shape[0]) images")
            }
            guard labels.allSatisfy({ $0 >= 0 }) else { throw GeneratorError.invalidData("labels must be ≥ 0") }
        }
        guard images.scalars.allSatisfy({ $0.isFinite }) else { throw GeneratorError.invalidData("images contain NaN or infinite values") }
        self.images = images.copy(); self.labels = labels
    }

    public var count: Int { images.shape[0] }
    /// [C, H, W] of one image.
    public var itemShape: [Int] { Array(images.shape.dropFirst()) }

    /// FNV-1a (64-bit) over the shape, every value's bits and the labels, as 16 hex digits: what
    /// a checkpoint records so that a resumed run can refuse other data.
    public var fingerprint: String {
        var h = FNV1a()
        for d in images.shape { h.mix(UInt64(d)) }
        let p = images.data
        for i in 0..<images.count { h.mix(UInt64(p[i].bitPattern)) }
        h.mix(labels == nil ? 0 : 1)
        for l in labels ?? [] { h.mix(UInt64(l)) }
        return h.hex
    }

    /// The images at `indices` as one batch [indices.count, C, H, W].
    func batch(_ indices: [Int]) -> Tensor {
        let per = images.count / count
        let out = Tensor(uninitializedShape: [indices.count] + itemShape)
        let src = images.data, dst = out.mutableData
        for (j, i) in indices.enumerated() { (dst + j * per).update(from: src + i * per, count: per) }
        return out
    }
}
