/// Octoplane's 3-vector: `SIMD3<Float>` (16 bytes in memory, the 4th lane is padding).
/// World units: after normalization meshes live in [-0.5, 0.5]³ (ONet) or [-1, 1]³ (NFD).
public typealias Vec3 = SIMD3<Float>
public typealias Vec3d = SIMD3<Double>

@inlinable public func dot(_ a: Vec3, _ b: Vec3) -> Float { (a * b).sum() }
@inlinable public func cross(_ a: Vec3, _ b: Vec3) -> Vec3 {
    Vec3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}
@inlinable public func length(_ a: Vec3) -> Float { dot(a, a).squareRoot() }
@inlinable public func lengthSquared(_ a: Vec3) -> Float { dot(a, a) }
/// Unit vector along `a`; the zero vector stays zero (no NaN).
@inlinable public func normalize(_ a: Vec3) -> Vec3 {
    let l = length(a)
    return l > 0 ? a / l : .zero
}
@inlinable public func dot(_ a: Vec3d, _ b: Vec3d) -> Double { (a * b).sum() }
@inlinable public func cross(_ a: Vec3d, _ b: Vec3d) -> Vec3d {
    Vec3d(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}
@inlinable public func length(_ a: Vec3d) -> Double { dot(a, a).squareRoot() }

extension SIMD3 where Scalar == Float {
    /// True when all three components are finite (no NaN, no ±Inf).
    @inlinable public var isFinite: Bool { x.isFinite && y.isFinite && z.isFinite }
    @inlinable public var double: Vec3d { Vec3d(Double(x), Double(y), Double(z)) }
}
extension SIMD3 where Scalar == Double {
    @inlinable public var float: Vec3 { Vec3(Float(x), Float(y), Float(z)) }
}
