import Foundation
import Geometry
import Support

/// Pass 4 of a frame: deferred shading of the visible samples and the supersample resolve.
///
/// Lighting (camera space: x right, y up, z towards the viewer; all colours linear):
///   c = base · (ambient + Σₖ Iₖ · max(0, n·Lₖ)) + specular · Σₖ Iₖ · max(0, n·Hₖ)^shininess
/// with Hₖ = normalize(Lₖ + V), V = (0, 0, 1) (viewer at infinity: Phong, "Illumination for
/// computer generated pictures", CACM 1975; Blinn, "Models of light reflection for computer
/// synthesized pictures", SIGGRAPH 1977). For a back face n is negated (it faces the viewer) and
/// base = backColor. Normals: flat → the face normal; smooth → vertex normals interpolated
/// perspective-correctly and renormalized. Wire: a sample closer than wireWidth/2 output pixels
/// to an original edge of its triangle takes wireColor.
struct Shader {
    let mesh: TriangleMesh
    let frame: Frame
    let options: RenderOptions
    let colors: SurfaceColors
    /// Camera-space unit normals: per face (flat) or per vertex (smooth).
    let normals: [Vec3]
    /// Linear colours per face or vertex (empty when uniform).
    let linearColors: [SIMD3<Float>]
    let lights: [(dir: SIMD3<Float>, half: SIMD3<Float>, intensity: Float)]
    /// Smallest n·H worth a `pow` (1 when there is no specular term).
    let hMin: Float

    init(mesh: TriangleMesh, frame: Frame, camera: Camera, options: RenderOptions, colors: SurfaceColors) {
        self.mesh = mesh; self.frame = frame; self.options = options; self.colors = colors
        let (r, u, f) = camera.frame
        @inline(__always) func toCamera(_ n: Vec3) -> Vec3 { normalize(Vec3(dot(n, r), dot(n, u), -dot(n, f))) }
        switch options.shading {
        case .flat:
            normals = parallelMap(mesh.faceCount, minChunk: 4096, repeating: Vec3.zero) { toCamera(mesh.faceNormalScaled($0)) }
        case .smooth:
            let world = mesh.normals ?? mesh.computeVertexNormals()
            normals = parallelMap(mesh.vertexCount, minChunk: 4096, repeating: Vec3.zero) { toCamera(world[$0]) }
        }
        switch colors {
        case .uniform: linearColors = []
        case let .perFace(c), let .perVertex(c): linearColors = c.map { SRGB.decode($0.clamped(lowerBound: .zero, upperBound: .one)) }
        }
        hMin = options.specular > 0 ? Foundation.exp2(-12 / max(options.shininess, 1e-3)) : 1
        lights = options.lights.map { l in
            let d = normalize(l.direction)
            return (d, normalize(d + SIMD3<Float>(0, 0, 1)), l.intensity)
        }
    }

    /// Linear colour of the visible surface at sample `i` (which must be covered).
    @inline(__always)
    func shade(sample i: Int, front: SIMD3<Float>, back: SIMD3<Float>, wire: SIMD3<Float>, wireHalf: Float,
               tris: UnsafeBufferPointer<ScreenTriangle>, tri: Int, l1: Float, l2: Float) -> SIMD3<Float> {
        let t = tris[tri]
        let l0 = 1 - l1 - l2
        if options.wireframe {
            let d = min(l0 * t.edgeScale.x, l1 * t.edgeScale.y, l2 * t.edgeScale.z)
            if d < wireHalf { return wire }
        }
        // Perspective-correct barycentrics in the screen triangle, then in the original face.
        var p = SIMD3<Float>(l0, l1, l2) * t.invZ
        p /= p.sum()
        let b: SIMD3<Float>
        if t.clip < 0 { b = t.swapped ? SIMD3(p.x, p.z, p.y) : p }
        else {
            let k = 3 * Int(t.clip)
            b = frame.clipBary[k] * p.x + frame.clipBary[k + 1] * p.y + frame.clipBary[k + 2] * p.z
        }
        let face = Int(t.face)
        let corners = mesh.triangles[face]
        var n: Vec3
        switch options.shading {
        case .flat: n = normals[face]
        case .smooth:
            n = normalize(normals[Int(corners.x)] * b.x + normals[Int(corners.y)] * b.y + normals[Int(corners.z)] * b.z)
        }
        var base: SIMD3<Float>
        if !t.front { n = -n; base = back }
        else {
            switch colors {
            case .uniform: base = front
            case .perFace: base = linearColors[face]
            case .perVertex:
                base = linearColors[Int(corners.x)] * b.x + linearColors[Int(corners.y)] * b.y + linearColors[Int(corners.z)] * b.z
            }
        }
        var diffuse = options.ambient
        var spec: Float = 0
        for l in lights {
            diffuse += l.intensity * max(0, dot(n, l.dir))
            // h^shininess < 2⁻¹² (invisible in 8 bits) below hMin: skip the pow.
            let h = dot(n, l.half)
            if h > hMin { spec += l.intensity * Foundation.pow(h, options.shininess) }
        }
        return base * diffuse + SIMD3(repeating: options.specular * spec)
    }

    /// Shades and resolves the frame into the output image.
    func resolve() -> RGBImage {
        let ss = options.supersampling
        let w = options.width, h = options.height
        let sw = frame.buffer.width
        let transparent = options.transparentBackground
        let bg = SRGB.decode(options.background)
        let front = SRGB.decode(options.frontColor), back = SRGB.decode(options.backColor)
        let wire = SRGB.decode(options.wireColor)
        let wireHalf = options.wireWidth * Float(ss) / 2
        let n = Float(ss * ss)
        let bgCode = SRGB.encode8(bg)
        var bytes = [UInt8](repeating: 0, count: 3 * w * h)
        var alpha = [UInt8](repeating: 255, count: transparent ? w * h : 0)
        frame.triangles.withUnsafeBufferPointer { tris in
        frame.buffer.triangle.withUnsafeBufferPointer { tri in
        frame.buffer.lambda1.withUnsafeBufferPointer { l1 in
        frame.buffer.lambda2.withUnsafeBufferPointer { l2 in
        bytes.withUnsafeMutableBufferPointer { out in
        alpha.withUnsafeMutableBufferPointer { aOut in
            parallelFor(h, minChunk: 4) { rows in
                for y in rows {
                    for x in 0..<w {
                        var sum = SIMD3<Float>.zero
                        var hits = 0
                        for sy in 0..<ss {
                            let row = (y * ss + sy) * sw + x * ss
                            for sx in 0..<ss {
                                let i = row + sx
                                let t = Int(tri[i])
                                if t < 0 { continue }
                                hits += 1
                                sum += shade(sample: i, front: front, back: back, wire: wire, wireHalf: wireHalf,
                                             tris: tris, tri: t, l1: l1[i], l2: l2[i])
                            }
                        }
                        let o = 3 * (y * w + x)
                        if hits == 0 {
                            out[o] = bgCode.x; out[o + 1] = bgCode.y; out[o + 2] = bgCode.z
                            if transparent { aOut[y * w + x] = 0 }
                            continue
                        }
                        let c: SIMD3<Float>
                        if transparent {
                            c = hits > 0 ? sum / Float(hits) : bg
                            aOut[y * w + x] = UInt8((Float(hits) * 255 / n).rounded())
                        } else {
                            c = (sum + bg * Float(ss * ss - hits)) / n
                        }
                        let e = SRGB.encode8(c)
                        out[o] = e.x; out[o + 1] = e.y; out[o + 2] = e.z
                    }
                }
            }
        }}}}}}
        return RGBImage(width: w, height: h, bytes: bytes, alpha: transparent ? alpha : nil)
    }
}
