import Foundation
import Geometry
import Support

/// The headless CPU renderer: a z-buffered rasterizer with Lambert + Blinn–Phong shading.
///
/// A frame runs in four passes, all parallel over the two (or more) cores:
/// 1. vertices to view space (x right, y up, z depth);
/// 2. triangle setup (`Projection`): cull, clip the rare triangles that leave the guard band or
///    cross the near plane, project to a 24.8 fixed-point sample grid;
/// 3. rasterization (`Rasterizer`): edge functions + z-buffer into a visibility buffer (nearest
///    triangle and its barycentrics per sample);
/// 4. deferred shading and resolve: each visible sample is shaded once, supersamples are
///    averaged in linear light, and the result is sRGB-encoded.
///
/// Output is deterministic: the same bytes for the same input whatever the thread count.
public enum Renderer {
    /// Renders `mesh` seen through `camera`.
    ///
    /// - Parameters:
    ///   - mesh: any triangle mesh; open surfaces and either orientation are fine (faces seen
    ///     from behind get `options.backColor`). Uses `mesh.normals` for smooth shading when
    ///     present, area-weighted vertex normals otherwise. The empty mesh renders background.
    ///   - colors: optional per-face or per-vertex colours (see `SurfaceColors`).
    /// - Returns: an `options.width × options.height` image; with alpha when
    ///   `options.transparentBackground`.
    /// - Throws: `RenderingError.invalidOption` for out-of-range options or colour counts.
    public static func render(mesh: TriangleMesh, camera: Camera, options: RenderOptions = RenderOptions(),
                              colors: SurfaceColors = .uniform) throws -> RGBImage {
        try options.validate()
        try colors.validate(faceCount: mesh.faceCount, vertexCount: mesh.vertexCount)
        let ss = options.supersampling
        let frame = Frame(mesh: mesh, camera: camera, width: options.width * ss, height: options.height * ss)
        return Shader(mesh: mesh, frame: frame, camera: camera, options: options, colors: colors).resolve()
    }

    /// Renders `mesh` from an orbit camera auto-framed on it (`Camera.fitting`): `azimuth` and
    /// `elevation` in degrees, see `Camera.orbit` for the conventions.
    public static func render(mesh: TriangleMesh, azimuth: Float, elevation: Float, fovY: Float = 35,
                              upAxis: UpAxis = .y, framing: Camera.Framing = .tight,
                              options: RenderOptions = RenderOptions(), colors: SurfaceColors = .uniform) throws -> RGBImage {
        let camera = Camera.fitting(mesh, azimuth: azimuth, elevation: elevation, fovY: fovY,
                                    aspect: Float(options.width) / Float(options.height), upAxis: upAxis, framing: framing)
        return try render(mesh: mesh, camera: camera, options: options, colors: colors)
    }

    /// The face seen at each pixel centre (no supersampling): `width · height` face indices,
    /// row-major from the top-left, −1 where no face covers the pixel centre. Useful for masks,
    /// picking, and as the renderer's testable core.
    public static func faceIndexBuffer(mesh: TriangleMesh, camera: Camera, width: Int, height: Int) -> [Int32] {
        precondition(width > 0 && height > 0, "buffer size must be positive")
        let frame = Frame(mesh: mesh, camera: camera, width: width, height: height)
        return frame.buffer.triangle.map { $0 < 0 ? -1 : frame.triangles[Int($0)].face }
    }
}

/// Passes 1–3 of a frame: view transform, setup, rasterization.
struct Frame {
    let triangles: [ScreenTriangle]
    /// Barycentrics in their face of the vertices of clipped pieces (`ScreenTriangle.clip`).
    let clipBary: [SIMD3<Float>]
    var buffer: VisibilityBuffer

    init(mesh: TriangleMesh, camera: Camera, width: Int, height: Int) {
        let proj = Projection(width: width, height: height, camera: camera)
        let (right, up, forward) = camera.frame
        let eye = camera.eye
        // 1. View space, and each vertex projected once.
        let view = parallelMap(mesh.vertexCount, minChunk: 4096, repeating: Vec3.zero) { i in
            let d = mesh.positions[i] - eye
            return Vec3(dot(d, right), dot(d, up), dot(d, forward))
        }
        let projected = parallelMap(mesh.vertexCount, minChunk: 4096, repeating: Projection.Vertex(x: 0, y: 0, invZ: 0, outcode: 0)) {
            proj.vertex(view[$0])
        }
        // 2. Setup, in parallel chunks of faces; each chunk keeps its triangles in face order and
        //    the chunks are joined in order. Faces leaving the guard band are clipped afterwards.
        let lock = NSLock()
        var pieces: [(Int, [ScreenTriangle], [Int])] = []
        projected.withUnsafeBufferPointer { v in
        mesh.triangles.withUnsafeBufferPointer { f in
            parallelFor(mesh.faceCount, minChunk: 8192) { r in
                var local = [ScreenTriangle](), toClip = [Int]()
                local.reserveCapacity(r.count)
                for i in r {
                    let t = f[i]
                    let a = v[Int(t.x)], b = v[Int(t.y)], c = v[Int(t.z)]
                    if a.outcode & b.outcode & c.outcode & 31 != 0 { continue }
                    if (a.outcode | b.outcode | c.outcode) & 32 == 0 {
                        if let s = proj.screenTriangle(x: (a.x, b.x, c.x), y: (a.y, b.y, c.y),
                                                       invZ: SIMD3(a.invZ, b.invZ, c.invZ), face: Int32(i)) { local.append(s) }
                    } else {
                        toClip.append(i)
                    }
                }
                lock.lock(); pieces.append((r.lowerBound, local, toClip)); lock.unlock()
            }
        }}
        pieces.sort { $0.0 < $1.0 }
        var tris = [ScreenTriangle]()
        tris.reserveCapacity(pieces.reduce(0) { $0 + $1.1.count })
        for p in pieces { tris += p.1 }
        var bary: [SIMD3<Float>] = []
        for p in pieces {
            for i in p.2 {
                let t = mesh.triangles[i]
                proj.clipped((view[Int(t.x)], view[Int(t.y)], view[Int(t.z)]), face: Int32(i), into: &tris, bary: &bary)
            }
        }
        triangles = tris
        clipBary = bary
        // 3. Rasterization.
        buffer = VisibilityBuffer(width: width, height: height)
        Rasterizer.rasterize(tris, into: &buffer)
    }
}
