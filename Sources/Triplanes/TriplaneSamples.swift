import Foundation
import Support
import TensorCore

/// One object's labelled training points in the [-1, 1] frame: `points` [N, 3] (x, y, z
/// interleaved) with one target each — occupancy 0/1 (NFD's `.npy` column 3) or an unsigned
/// distance. Rows may be ordered (NFD files put all near-surface rows first): batches draw rows
/// uniformly at random across the whole set, so every step mixes near-surface and uniform points
/// (NFD never shuffled its chunks; each of its steps saw one kind only).
public struct TriplaneSamples: Sendable {
    public let points: [Float]
    public let targets: [Float]
    public var count: Int { targets.count }

    /// Throws `TriplaneError.badSamples` (path `source`) when the counts disagree, a value is not
    /// finite, or there is no row.
    public init(points: [Float], targets: [Float], source: String = "samples") throws {
        guard points.count == 3 * targets.count else {
            throw TriplaneError.badSamples(path: source, reason: "\(points.count) coordinates for \(targets.count) targets")
        }
        guard !targets.isEmpty else { throw TriplaneError.badSamples(path: source, reason: "no rows") }
        if let i = points.firstIndex(where: { !$0.isFinite }) {
            throw TriplaneError.badSamples(path: source, reason: "row \(i / 3) has a non-finite coordinate")
        }
        if let i = targets.firstIndex(where: { !$0.isFinite }) {
            throw TriplaneError.badSamples(path: source, reason: "row \(i) has a non-finite target")
        }
        self.points = points; self.targets = targets
    }

    /// From an NFD-layout array of `rows` × `columns` floats (x, y, z, occupancy, …), row-major.
    public init(nfdRows values: [Float], columns: Int, source: String = "samples") throws {
        guard columns >= 4 else {
            throw TriplaneError.badSamples(path: source, reason: "expected rows of at least 4 columns (x, y, z, occupancy), got \(columns)")
        }
        let n = values.count / columns
        var p = [Float](repeating: 0, count: 3 * n), t = [Float](repeating: 0, count: n)
        for i in 0..<n {
            p[3 * i] = values[i * columns]; p[3 * i + 1] = values[i * columns + 1]; p[3 * i + 2] = values[i * columns + 2]
            t[i] = values[i * columns + 3]
        }
        try self.init(points: p, targets: t, source: source)
    }

    /// `k` rows drawn uniformly with replacement → (points [k, 3], targets [k]).
    public func batch(_ k: Int, rng: inout SeededRandom) -> (points: Tensor, targets: Tensor) {
        var p = [Float](repeating: 0, count: 3 * k), t = [Float](repeating: 0, count: k)
        let n = UInt64(count)
        for j in 0..<k {
            let i = Int(rng.next() % n)
            p[3 * j] = points[3 * i]; p[3 * j + 1] = points[3 * i + 1]; p[3 * j + 2] = points[3 * i + 2]
            t[j] = targets[i]
        }
        return (Tensor(p, shape: [k, 3]), Tensor(t, shape: [k]))
    }

    /// The rows with index in `range` as (points, targets) arrays.
    public func rows(_ range: Range<Int>) -> (points: [Float], targets: [Float]) {
        (Array(points[(3 * range.lowerBound)..<(3 * range.upperBound)]), Array(targets[range]))
    }
}

extension TriplaneConfig {
    /// The data term: BCE with logits on 0/1 occupancy, or L1 against min(udf, udfClamp).
    public func dataLoss(_ outputs: Tensor, _ targets: Tensor) -> Tensor {
        switch target {
        case .occupancy: return bceWithLogits(outputs, targets)
        case .udf:
            let c = udfClamp
            return l1Loss(outputs, Tensor(targets.scalars.map { min($0, c) }, shape: targets.shape))
        }
    }
}
