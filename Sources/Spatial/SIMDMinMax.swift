import Geometry

// Lane-wise min/max for the hot loops. The standard library's generic `pointwiseMin/Max` are not
// inlined across modules here (one call per use in the profile of the winding-number traversal),
// so the traversals use these, which compile to minss/maxss or minps/maxps.

@inline(__always) @usableFromInline func vmin(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> SIMD3<Float> {
    SIMD3(Swift.min(a.x, b.x), Swift.min(a.y, b.y), Swift.min(a.z, b.z))
}
@inline(__always) @usableFromInline func vmax(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> SIMD3<Float> {
    SIMD3(Swift.max(a.x, b.x), Swift.max(a.y, b.y), Swift.max(a.z, b.z))
}
@inline(__always) @usableFromInline func vmin(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> {
    SIMD4(Swift.min(a.x, b.x), Swift.min(a.y, b.y), Swift.min(a.z, b.z), Swift.min(a.w, b.w))
}
@inline(__always) @usableFromInline func vmax(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> {
    SIMD4(Swift.max(a.x, b.x), Swift.max(a.y, b.y), Swift.max(a.z, b.z), Swift.max(a.w, b.w))
}
/// Largest / smallest lane of a 3-vector.
@inline(__always) @usableFromInline func hmax(_ a: SIMD3<Float>) -> Float { Swift.max(a.x, Swift.max(a.y, a.z)) }
@inline(__always) @usableFromInline func hmin(_ a: SIMD3<Float>) -> Float { Swift.min(a.x, Swift.min(a.y, a.z)) }
