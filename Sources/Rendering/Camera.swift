import Foundation
import Geometry

/// Which world axis points up, and so which way "front" is.
///
/// - `.y` (default, ShapeNet v2, glTF, OBJ from most tools): up = +Y, the object's front faces −Z.
/// - `.z` (STL/CAD, Blender): up = +Z, the object's front faces −Y.
public enum UpAxis: String, Sendable, CaseIterable {
    case y, z
    /// The world up vector.
    public var up: Vec3 { self == .y ? Vec3(0, 1, 0) : Vec3(0, 0, 1) }
    /// The direction the object's front faces (where a camera at azimuth 0 sits).
    public var front: Vec3 { self == .y ? Vec3(0, 0, -1) : Vec3(0, -1, 0) }
}

/// A pinhole perspective camera (no lens distortion, square pixels).
///
/// View frame: `forward` from the eye to the target, `right = normalize(forward × up)`,
/// `cameraUp = right × forward`. Image coordinates: x to the right, y down, pixel (i, j) covers
/// [i, i+1) × [j, j+1) with its centre at (i + ½, j + ½). A view-space point (x, y, z) with depth
/// z > 0 along `forward` lands at (W/2 + f·x/z, H/2 − f·y/z), where the focal length in pixels is
/// f = (H/2) / tan(fovY/2).
public struct Camera: Sendable, Equatable {
    public var eye: Vec3
    public var target: Vec3
    public var up: Vec3
    /// Vertical field of view in degrees, in (0, 180).
    public var fovY: Float

    public init(eye: Vec3, target: Vec3, up: Vec3 = Vec3(0, 1, 0), fovY: Float = 35) {
        precondition(fovY > 0 && fovY < 180, "field of view must be in (0°, 180°)")
        self.eye = eye; self.target = target; self.up = up; self.fovY = fovY
    }

    /// The orbit camera: looks at `target` from `distance`, at `azimuth` degrees around the up
    /// axis and `elevation` degrees above the horizontal plane.
    ///
    /// Azimuth 0 puts the camera on the object's front side (−Z for `.y` up, −Y for `.z` up),
    /// looking at the front; azimuth 90 moves it to +X (it sees the object's right-hand side…
    /// from the viewer's point of view, the side at +X); 180 looks at the back. Elevation 90 looks
    /// straight down (the camera up vector then falls back to the front direction).
    public static func orbit(target: Vec3, distance: Float, azimuth: Float, elevation: Float,
                             fovY: Float = 35, upAxis: UpAxis = .y) -> Camera {
        precondition(distance > 0 && distance.isFinite, "camera distance must be positive")
        let az = azimuth * .pi / 180, el = elevation * .pi / 180
        let u = upAxis.up, f = upAxis.front, r = cross(f, u)   // r = +X for both conventions
        let horizontal = f * Foundation.cos(az) + r * Foundation.sin(az)
        let dir = horizontal * Foundation.cos(el) + u * Foundation.sin(el)
        let eye = target + dir * distance
        // Near the poles forward ∥ up: use the horizontal direction as the camera's up instead.
        let camUp = abs(Foundation.cos(el)) < 1e-4 ? (elevation > 0 ? -horizontal : horizontal) : u
        return Camera(eye: eye, target: target, up: camUp, fovY: fovY)
    }

    /// An orbit camera looking at the bounding-box centre of `mesh` from the given direction, at
    /// the distance that frames it.
    ///
    /// - `.tight` (default): the smallest distance at which every vertex projects inside the
    ///   image shrunk by `margin` (exact, O(V)): a vertex at view offset (x, y) and depth offset
    ///   z₀ from the centre needs d ≥ |x|·m/tan(fovX/2) − z₀ and d ≥ |y|·m/tan(fovY/2) − z₀.
    ///   The scale differs between directions.
    /// - `.sphere`: the bounding sphere about the centre (radius = farthest vertex) fits the
    ///   narrower field of view, × margin: the same distance from every direction (turntables).
    /// An empty mesh frames the unit sphere.
    public static func fitting(_ mesh: TriangleMesh, azimuth: Float, elevation: Float, fovY: Float = 35,
                               aspect: Float = 1, margin: Float = 1.05, upAxis: UpAxis = .y,
                               framing: Framing = .tight) -> Camera {
        let (c, radius) = boundingSphere(of: mesh)
        let far = fitDistance(radius: radius, fovY: fovY, aspect: aspect, margin: margin)
        let probe = orbit(target: c, distance: far, azimuth: azimuth, elevation: elevation, fovY: fovY, upAxis: upAxis)
        guard framing == .tight, !mesh.positions.isEmpty else { return probe }
        let (r, u, f) = probe.frame
        let tanY = Foundation.tan(fovY * .pi / 360), tanX = tanY * aspect
        var d: Float = 0
        for p in mesh.positions {
            let q = p - c
            let z0 = dot(q, f)
            d = max(d, abs(dot(q, r)) * margin / tanX - z0, abs(dot(q, u)) * margin / tanY - z0)
        }
        // Keep the eye outside the bounding sphere (the near plane must not cut the mesh).
        d = max(d, radius * 1.02)
        return orbit(target: c, distance: d, azimuth: azimuth, elevation: elevation, fovY: fovY, upAxis: upAxis)
    }

    /// How `fitting` picks the camera distance.
    public enum Framing: String, Sendable, CaseIterable {
        /// Per view, as close as possible with every vertex inside the image.
        case tight
        /// The same distance from every direction (bounding sphere).
        case sphere
    }

    /// Centre (bounding-box centre) and radius (farthest vertex from it, ≥ a tiny positive floor).
    public static func boundingSphere(of mesh: TriangleMesh) -> (center: Vec3, radius: Float) {
        let b = mesh.bounds
        guard !b.isEmpty else { return (.zero, 1) }
        let c = b.center
        var r2: Float = 0
        for p in mesh.positions { r2 = max(r2, lengthSquared(p - c)) }
        return (c, max(r2.squareRoot(), 1e-6 * max(1, length(c))))
    }

    /// The distance at which a sphere of `radius` exactly fills the narrower field of view, × margin.
    public static func fitDistance(radius: Float, fovY: Float, aspect: Float = 1, margin: Float = 1.05) -> Float {
        let halfY = fovY * .pi / 360
        let halfX = Foundation.atan(Foundation.tan(halfY) * aspect)
        return margin * radius / Foundation.sin(min(halfX, halfY))
    }

    /// The orthonormal view frame (right, cameraUp, forward).
    public var frame: (right: Vec3, up: Vec3, forward: Vec3) {
        let f = normalize(target - eye)
        var r = normalize(cross(f, up))
        if r == .zero { r = normalize(cross(f, abs(f.y) < 0.9 ? Vec3(0, 1, 0) : Vec3(1, 0, 0))) }
        return (r, cross(r, f), f)
    }

    /// Focal length in pixels for an image `height` pixels tall.
    public func focalLength(height: Int) -> Float { Float(height) / 2 / Foundation.tan(fovY * .pi / 360) }
}
