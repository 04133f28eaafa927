import Foundation
import Geometry
import Support
import Testing
@testable import Rendering

/// Options that make the rendered colour equal the surface colour (ambient 1, no lights, no
/// specular): shading cannot blur what the geometry tests look at.
private func unlit(_ size: Int, ss: Int = 1) -> RenderOptions {
    var o = RenderOptions(width: size, height: size, supersampling: ss)
    o.lights = []; o.ambient = 1; o.specular = 0
    return o
}

private func count(_ image: RGBImage, where pred: (RGB8) -> Bool) -> Int {
    var n = 0
    for y in 0..<image.height { for x in 0..<image.width where pred(image[x, y]) { n += 1 } }
    return n
}

@Suite("Renderer")
struct RendererTests {
    @Test("a sphere's silhouette covers the analytic projected disc area within 1%")
    func sphereSilhouette() throws {
        let sphere = TriangleMesh.icosphere(subdivisions: 5, radius: 1)
        for (distance, size) in [(Float(4), 256), (Float(3), 200)] {
            let cam = Camera.orbit(target: .zero, distance: distance, azimuth: 30, elevation: 20, fovY: 40)
            var o = RenderOptions(width: size, height: size, supersampling: 2)
            o.transparentBackground = true
            let img = try Renderer.render(mesh: sphere, camera: cam, options: o)
            let covered = img.alpha!.reduce(0.0) { $0 + Double($1) / 255 }
            // A sphere seen from distance d is a cone of half-angle asin(r/d); the image plane
            // at focal length f cuts it in a disc of radius f·tan(asin(r/d)) (centred on axis).
            let f = Double(cam.focalLength(height: size))
            let rad = f * tan(asin(1 / Double(distance)))
            let expected = Double.pi * rad * rad
            #expect(abs(covered / expected - 1) < 0.01, "covered \(covered) px², expected \(expected)")
        }
    }

    @Test("a nearer object occludes a farther one, whatever the face order")
    func depthTest() throws {
        let near = TriangleMesh.icosphere(subdivisions: 3, radius: 0.5, center: [0, 0, -1])
        let far = TriangleMesh.icosphere(subdivisions: 3, radius: 2, center: [0, 0, 3])
        let cam = Camera(eye: [0, 0, -5], target: .zero, fovY: 40)
        let red: SIMD3<Float> = [1, 0, 0], blue: SIMD3<Float> = [0, 0, 1]
        for nearFirst in [true, false] {
            let parts = nearFirst ? [near, far] : [far, near]
            let mesh = TriangleMesh.merged(parts)
            let colors = (nearFirst ? [red, blue] : [blue, red]).enumerated().flatMap { i, c in
                [SIMD3<Float>](repeating: c, count: parts[i].faceCount)
            }
            let img = try Renderer.render(mesh: mesh, camera: cam, options: unlit(64), colors: .perFace(colors))
            #expect(img[32, 32] == RGB8(255, 0, 0))
            // Beside the small near sphere (radius ≈ 11 px), the big far one (≈ 23 px) shows.
            #expect(img[32, 15] == RGB8(0, 0, 255))
        }
    }

    @Test("an open bowl seen from inside shows back faces in the back colour, from outside the front colour")
    func backFaces() throws {
        let sphere = TriangleMesh.icosphere(subdivisions: 3, radius: 1)
        // Keep the lower part: a bowl open at the top (+Y), outward-oriented.
        let kept = sphere.triangles.filter { t in
            (sphere.positions[Int(t.x)].y + sphere.positions[Int(t.y)].y + sphere.positions[Int(t.z)].y) / 3 < 0.3
        }
        let bowl = TriangleMesh(positions: sphere.positions, triangles: kept)
        let o = unlit(64)
        let fromAbove = try Renderer.render(mesh: bowl, azimuth: 0, elevation: 90, options: o)
        let fromBelow = try Renderer.render(mesh: bowl, azimuth: 0, elevation: -90, options: o)
        #expect(fromAbove[32, 32] == RGB8(srgb: o.backColor))
        #expect(fromBelow[32, 32] == RGB8(srgb: o.frontColor))
        // Seen from the side, the outside of the bowl (front faces) fills the lower centre.
        let side = try Renderer.render(mesh: bowl, azimuth: 0, elevation: 0, options: o)
        #expect(side[32, 44] == RGB8(srgb: o.frontColor))
    }

    @Test("azimuth 0 looks at the front (−Z) with +X on the left; azimuth 90 looks from +X")
    func azimuthConvention() throws {
        // A bar along X with a red cap at +X.
        let bar = TriangleMesh.box(size: [2, 0.4, 0.4])
        let cap = TriangleMesh.box(size: [0.2, 0.6, 0.6], center: [1.1, 0, 0])
        let mesh = TriangleMesh.merged([bar, cap])
        let colors = [SIMD3<Float>](repeating: [0.5, 0.5, 0.5], count: bar.faceCount)
            + [SIMD3<Float>](repeating: [1, 0, 0], count: cap.faceCount)
        func redColumns(_ az: Float) throws -> (mean: Double, width: Int, silhouetteWidth: Int) {
            let img = try Renderer.render(mesh: mesh, azimuth: az, elevation: 0, framing: .sphere, options: unlit(96), colors: .perFace(colors))
            var xs: [Int] = [], cols = Set<Int>(), silhouette = Set<Int>()
            for y in 0..<96 { for x in 0..<96 {
                if img[x, y] == RGB8(255, 0, 0) { xs.append(x); cols.insert(x) }
                if img[x, y] != RGB8(255, 255, 255) { silhouette.insert(x) }
            } }
            return (Double(xs.reduce(0, +)) / Double(max(1, xs.count)), cols.count, silhouette.count)
        }
        let a0 = try redColumns(0), a90 = try redColumns(90), a180 = try redColumns(180)
        #expect(a0.mean < 30, "seen from −Z, +X is on the left")
        #expect(a180.mean > 66, "seen from +Z, +X is on the right")
        #expect(abs(a90.mean - 47.5) < 2, "seen from +X, the cap faces the camera, centred")
        // From the side the bar is long; end-on it is only as wide as the cap.
        #expect(a0.silhouetteWidth > 2 * a90.silhouetteWidth)
        #expect(a90.width == a90.silhouetteWidth, "end-on, the cap hides the whole bar")
    }

    @Test("a cube seen face-on with flat shading shows one flat colour")
    func cubeFaceOn() throws {
        var o = RenderOptions(width: 80, height: 80, supersampling: 2, shading: .flat)
        o.transparentBackground = true
        let img = try Renderer.render(mesh: .box(size: [1, 1, 1]), azimuth: 0, elevation: 0, options: o)
        var colours = Set<[UInt8]>()
        var opaque = 0
        for y in 0..<80 { for x in 0..<80 where img.alpha(x: x, y: y) == 255 {
            colours.insert([img[x, y].x, img[x, y].y, img[x, y].z]); opaque += 1
        } }
        #expect(opaque > 400)
        #expect(colours.count == 1)
    }

    @Test("rendering is deterministic: same bytes twice and with one or two threads")
    func deterministic() throws {
        let mesh = TriangleMesh.merged([.torus(major: 1, minor: 0.35, majorSegments: 48, minorSegments: 24),
                                        .icosphere(subdivisions: 3, radius: 0.5)])
        var o = RenderOptions(width: 120, height: 90, supersampling: 2)
        o.wireframe = true
        let a = try Renderer.render(mesh: mesh, azimuth: 35, elevation: 25, options: o)
        let b = try Renderer.render(mesh: mesh, azimuth: 35, elevation: 25, options: o)
        let c = try Parallelism.withThreadCount(1) { try Renderer.render(mesh: mesh, azimuth: 35, elevation: 25, options: o) }
        #expect(a == b)
        #expect(a == c)
    }

    @Test("the fast rasterizer agrees with a brute-force per-pixel ray oracle")
    func oracle() throws {
        var rng = SeededRandom(seed: 7)
        for trial in 0..<3 {
            // A random soup of triangles (intersecting, both orientations) around the origin.
            var pos: [Vec3] = [], tri: [SIMD3<UInt32>] = []
            for f in 0..<60 {
                let c = Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1))
                for _ in 0..<3 { pos.append(c + Vec3(rng.uniform(-0.6, 0.6), rng.uniform(-0.6, 0.6), rng.uniform(-0.6, 0.6))) }
                tri.append(SIMD3(UInt32(3 * f), UInt32(3 * f + 1), UInt32(3 * f + 2)))
            }
            let mesh = TriangleMesh(positions: pos, triangles: tri)
            let cam = Camera.fitting(mesh, azimuth: Float(trial) * 70 + 10, elevation: 15)
            let (w, h) = (96, 72)
            let fast = Renderer.faceIndexBuffer(mesh: mesh, camera: cam, width: w, height: h)
            let slow = naiveFaceIndexBuffer(mesh: mesh, camera: cam, width: w, height: h)
            let differ = zip(fast, slow).filter { $0 != $1 }.count
            // Only samples within rounding of an edge or of a depth tie may differ.
            #expect(differ <= w * h / 200, "trial \(trial): \(differ) of \(w * h) pixels differ")
            #expect(fast.contains { $0 >= 0 })
        }
    }

    @Test("triangles crossing the near plane or far outside the view are clipped, not lost")
    func clipping() throws {
        // A big floor quad passing under and behind the camera.
        let floor = TriangleMesh(positions: [[-50, -1, -50], [50, -1, -50], [50, -1, 50], [-50, -1, 50]],
                                 triangles: [[0, 2, 1], [0, 3, 2]])
        let cam = Camera(eye: [0, 0, 0], target: [0, 0, 1], fovY: 60)
        let fast = Renderer.faceIndexBuffer(mesh: floor, camera: cam, width: 64, height: 64)
        let slow = naiveFaceIndexBuffer(mesh: floor, camera: cam, width: 64, height: 64)
        // The floor fills the lower half of the view (up to its horizon at row 32).
        #expect(fast[63 * 64 + 32] >= 0 && fast[40 * 64 + 2] >= 0)
        #expect(fast[10 * 64 + 32] == -1)
        let differ = zip(fast.map { $0 >= 0 }, slow.map { $0 >= 0 }).filter { $0 != $1 }.count
        #expect(differ <= 64)   // only along the horizon
    }

    @Test("per-vertex colours interpolate; bad colour counts and sizes are typed errors")
    func colorsAndErrors() throws {
        let quad = TriangleMesh(positions: [[-1, -1, 0], [1, -1, 0], [1, 1, 0], [-1, 1, 0]], triangles: [[0, 2, 1], [0, 3, 2]])
        let cam = Camera(eye: [0, 0, -3], target: .zero, fovY: 60)
        let c: [SIMD3<Float>] = [[1, 0, 0], [1, 0, 0], [0, 0, 1], [0, 0, 1]]
        let img = try Renderer.render(mesh: quad, camera: cam, options: unlit(64), colors: .perVertex(c))
        // Bottom red, top blue, and a mixture between.
        // (The quad spans rows 14…49: 18.5 px either side of the centre.)
        #expect(img[32, 48].x > 240 && img[32, 48].z < 100 && img[32, 48].y == 0)
        #expect(img[32, 15].z > 240 && img[32, 15].x < 100)
        #expect(img[32, 32].x > 100 && img[32, 32].z > 100)
        #expect(throws: RenderingError.self) { try Renderer.render(mesh: quad, camera: cam, colors: .perFace([[1, 0, 0]])) }
        #expect(throws: RenderingError.self) { try Renderer.render(mesh: quad, camera: cam, options: RenderOptions(width: 0)) }
        #expect(throws: RenderingError.self) { try Renderer.render(mesh: quad, camera: cam, options: RenderOptions(supersampling: 9)) }
        // The empty mesh is background.
        let empty = try Renderer.render(mesh: TriangleMesh(), camera: cam, options: unlit(8))
        #expect(empty.bytes.allSatisfy { $0 == 255 })
    }

    @Test("wireframe draws edges in the wire colour on top of the surface")
    func wireframe() throws {
        var o = unlit(128)
        o.wireframe = true
        let mesh = TriangleMesh.icosphere(subdivisions: 2)
        let plain = try Renderer.render(mesh: mesh, azimuth: 10, elevation: 10, options: unlit(128))
        let wired = try Renderer.render(mesh: mesh, azimuth: 10, elevation: 10, options: o)
        let wire = RGB8(srgb: o.wireColor)
        let wirePixels = count(wired) { $0 == wire }
        #expect(count(plain) { $0 == wire } == 0)
        #expect(wirePixels > 500)
        // Same silhouette.
        #expect(count(plain) { $0 != RGB8(255, 255, 255) } == count(wired) { $0 != RGB8(255, 255, 255) })
    }
}

/// Brute force: for each pixel centre, intersect the camera ray with every triangle
/// (Möller–Trumbore) and keep the nearest hit along the forward axis. No fixed point, no
/// binning, no clipping.
func naiveFaceIndexBuffer(mesh: TriangleMesh, camera: Camera, width: Int, height: Int) -> [Int32] {
    let (r, u, f) = camera.frame
    let focal = camera.focalLength(height: height)
    var out = [Int32](repeating: -1, count: width * height)
    for y in 0..<height {
        for x in 0..<width {
            let px = (Float(x) + 0.5 - Float(width) / 2) / focal, py = (Float(height) / 2 - Float(y) - 0.5) / focal
            let d = r * px + u * py + f   // forward component 1: t is the depth
            var best = Float.infinity, bestFace: Int32 = -1
            for i in 0..<mesh.faceCount {
                let (a, b, c) = mesh.corners(i)
                let e1 = b - a, e2 = c - a
                let p = cross(d, e2)
                let det = dot(e1, p)
                if abs(det) < 1e-12 { continue }
                let s = camera.eye - a
                let bu = dot(s, p) / det
                if bu < 0 || bu > 1 { continue }
                let q = cross(s, e1)
                let bv = dot(d, q) / det
                if bv < 0 || bu + bv > 1 { continue }
                let t = dot(e2, q) / det
                if t > 1e-3 && t < best { best = t; bestFace = Int32(i) }
            }
            out[y * width + x] = bestFace
        }
    }
    return out
}
