import Foundation

extension TriangleMesh {
    /// A ring torus around the +Y axis: the circle of radius `minor` centred at distance `major`
    /// from the axis in the XY half-plane, revolved about Y.
    ///
    /// - Parameters:
    ///   - major: distance R from the axis to the tube centre, > `minor` (a ring torus).
    ///   - minor: tube radius r > 0.
    ///   - majorSegments: rings around the axis (≥ 3); minorSegments: points per ring (≥ 3).
    ///   - center: the torus centre.
    /// - Returns: closed, outward-oriented, genus 1 (χ = 0). Volume 2π²Rr², area 4π²Rr.
    public static func torus(major: Float, minor: Float, majorSegments: Int = 48, minorSegments: Int = 24, center: Vec3 = .zero) -> TriangleMesh {
        precondition(minor > 0 && major > minor && major.isFinite, "torus needs 0 < minor < major")
        precondition(majorSegments >= 3 && minorSegments >= 3, "torus segments must be ≥ 3")
        let tube = RingMesh.circle(minorSegments)
        var rings = [[Vec3]]()
        for i in 0..<majorSegments {
            let phi = 2 * Float.pi * Float(i) / Float(majorSegments)
            let c = cosf(phi), s = sinf(phi)
            rings.append(tube.map { t in
                let r = major + minor * t.0
                return Vec3(r * c, minor * t.1, -r * s) + center
            })
        }
        return RingMesh.build(rings: rings, start: nil, end: nil, loop: true)
    }
}
