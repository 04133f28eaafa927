import Geometry
import Support

/// A scalar function of space: occupancy probability or logit, signed or unsigned distance.
///
/// Conformers implement `value(at:)`; expensive fields (neural decoders, mesh queries) should also
/// override `values(at:)`, which the extractors call with large batches (≥ thousands of points),
/// so that work can be batched and parallelized. The default batches through `parallelFor`.
public protocol ScalarField: Sendable {
    func value(at p: Vec3) -> Float
    /// One value per point, in order. Must equal `points.map(value(at:))`.
    func values(at points: [Vec3]) -> [Float]
}

extension ScalarField {
    public func values(at points: [Vec3]) -> [Float] {
        parallelMap(points.count, minChunk: 256, repeating: 0) { value(at: points[$0]) }
    }
}

/// A field that also knows its gradient (unsigned distance fields need ∇u for the dual extractor).
public protocol GradientField: ScalarField {
    /// (value, gradient). For an unsigned distance u, ∇u = (p − closest)/u away from the surface.
    func valueAndGradient(at p: Vec3) -> (Float, Vec3)
    func valuesAndGradients(at points: [Vec3]) -> (values: [Float], gradients: [Vec3])
}

extension GradientField {
    public func valuesAndGradients(at points: [Vec3]) -> (values: [Float], gradients: [Vec3]) {
        var v = [Float](repeating: 0, count: points.count)
        var g = [Vec3](repeating: .zero, count: points.count)
        v.withUnsafeMutableBufferPointer { vb in
            g.withUnsafeMutableBufferPointer { gb in
                let vp = vb.baseAddress!, gp = gb.baseAddress!
                parallelFor(points.count, minChunk: 256) { r in
                    for i in r { (vp[i], gp[i]) = valueAndGradient(at: points[i]) }
                }
            }
        }
        return (v, g)
    }
}

/// A field given by a closure (analytic test fields, compositions).
public struct ClosureField: ScalarField {
    public let f: @Sendable (Vec3) -> Float
    public init(_ f: @escaping @Sendable (Vec3) -> Float) { self.f = f }
    public func value(at p: Vec3) -> Float { f(p) }
}
