import Foundation

extension TriangleMesh {
    /// A lofted solid: closed cross-section polygons placed anywhere in space, stitched in order,
    /// both ends capped. Wings (airfoil sections in streamwise planes), car bodies (rounded
    /// rectangles along the length), tapering struts.
    ///
    /// - Parameters:
    ///   - sections: M ≥ 2 polygons of the same S ≥ 3 points each; point k of section i is joined to
    ///     point k of section i+1, so corresponding points should be listed in the same order and
    ///     winding. Each end section must be star-shaped around its centroid (the caps are fans
    ///     from it). Sections must not cross each other.
    /// - Returns: closed, outward-oriented (fixed by the sign of the enclosed volume), χ = 2.
    public static func loft(sections: [[Vec3]]) -> TriangleMesh {
        precondition(sections.count >= 2, "a loft needs at least two sections")
        let s = sections[0].count
        precondition(s >= 3 && sections.allSatisfy { $0.count == s }, "loft sections need the same number (≥ 3) of points")
        func centroid(_ ring: [Vec3]) -> Vec3 { ring.reduce(Vec3.zero, +) / Float(ring.count) }
        return RingMesh.build(rings: sections, start: centroid(sections[0]), end: centroid(sections[sections.count - 1]))
    }
}
