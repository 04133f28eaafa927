import Fields
import Foundation
import Geometry
import TensorCore

/// One object's triplanes read through the shared decoder as a `ScalarField` over the [-1, 1]
/// frame, for the extractors: the occupancy logit (inside where > 0, extract at level 0 with
/// `.higher`) or the clamped UDF. Batches (`values(at:)`) go through the decoder in chunks without
/// recording gradients. Points outside [-1, 1]³ read zero features (the decoder's value of an
/// empty feature).
public struct TriplaneField: ScalarField, @unchecked Sendable {
    public let decoder: TriplaneDecoder
    public let planes: Tensor

    /// Throws `TriplaneError.planesMismatch` when the planes do not fit the decoder.
    public init(decoder: TriplaneDecoder, planes: Tensor) throws {
        try decoder.check(planes: planes)
        self.decoder = decoder; self.planes = planes.detached()
    }

    public func value(at p: Vec3) -> Float { values(at: [p])[0] }

    public func values(at points: [Vec3]) -> [Float] {
        var xyz = [Float](repeating: 0, count: 3 * points.count)
        for (i, p) in points.enumerated() { xyz[3 * i] = p.x; xyz[3 * i + 1] = p.y; xyz[3 * i + 2] = p.z }
        return decoder.evaluate(planes, points: xyz)
    }
}
