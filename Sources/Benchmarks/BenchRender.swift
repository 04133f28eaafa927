import Foundation
import Geometry
import Rendering
import Support

/// One row of `octoplane bench render`.
public struct RenderBenchRow: Codable, Sendable {
    public var scene: String
    public var faces: Int
    public var width: Int
    public var height: Int
    public var supersampling: Int
    public var shading: String
    public var threads: Int
    /// Median wall time of one frame (render to an `RGBImage`, PNG encoding excluded).
    public var msPerFrame: Double
    /// Fastest frame.
    public var msBest: Double
    /// Median process CPU time of one frame, all threads together (robust to a busy machine).
    public var cpuMsPerFrame: Double
    /// Input triangles per second at the median time, in millions.
    public var mTrianglesPerSecond: Double
    public var frames: Int
}

/// The renderer benchmark: auto-framed 3/4 views (azimuth 30°, elevation 20°) of procedural
/// meshes, so that it needs no file: an icosphere of 81,920 faces (subdivision 6), one of 327,680
/// (subdivision 7) and a torus of 1,048,576 faces (1024 × 512 segments), at 512² with and
/// without 2×2 supersampling. Each case renders one warm-up frame, then `frames` timed ones.
/// `threads` is scoped to this call (`Parallelism.withThreadCount`).
func benchRender(frames: Int = 7, size: Int = 512, threads: Int = Parallelism.threadCount) throws -> [RenderBenchRow] {
    try Parallelism.withThreadCount(threads) { try benchRenderCases(frames: frames, size: size, threads: threads) }
}

private func benchRenderCases(frames: Int, size: Int, threads: Int) throws -> [RenderBenchRow] {
    var sphere = TriangleMesh.icosphere(subdivisions: 6)
    sphere.recomputeNormals()
    var sphere7 = TriangleMesh.icosphere(subdivisions: 7)
    sphere7.recomputeNormals()
    var torus = TriangleMesh.torus(major: 1, minor: 0.35, majorSegments: 1024, minorSegments: 512)
    torus.recomputeNormals()
    let cases: [(String, TriangleMesh, Int, Shading)] = [
        ("icosphere-6", sphere, 1, .smooth), ("icosphere-6", sphere, 2, .smooth), ("icosphere-6", sphere, 2, .flat),
        ("icosphere-7", sphere7, 2, .smooth),
        ("torus-1M", torus, 1, .smooth), ("torus-1M", torus, 2, .smooth),
    ]
    var rows: [RenderBenchRow] = []
    for (name, mesh, ss, shading) in cases {
        let o = RenderOptions(width: size, height: size, supersampling: ss, shading: shading)
        _ = try Renderer.render(mesh: mesh, azimuth: 30, elevation: 20, options: o)
        var times: [Double] = [], cpu: [Double] = []
        for _ in 0..<frames {
            let c0 = processCPUms()
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = try Renderer.render(mesh: mesh, azimuth: 30, elevation: 20, options: o)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            cpu.append(processCPUms() - c0)
        }
        times.sort(); cpu.sort()
        let median = times[times.count / 2]
        rows.append(RenderBenchRow(scene: name, faces: mesh.faceCount, width: size, height: size, supersampling: ss,
                                   shading: shading.rawValue, threads: threads, msPerFrame: median, msBest: times[0],
                                   cpuMsPerFrame: cpu[cpu.count / 2],
                                   mTrianglesPerSecond: Double(mesh.faceCount) / median / 1e3, frames: frames))
    }
    return rows
}

/// CPU time of the whole process so far, in ms.
func processCPUms() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) * 1e3 + Double(t.tv_nsec) / 1e6
}

/// Text table of the rows.
func renderBenchTable(_ rows: [RenderBenchRow]) -> String {
    func pad(_ s: String, _ n: Int, left: Bool = false) -> String {
        s.count >= n ? s : left ? s + String(repeating: " ", count: n - s.count) : String(repeating: " ", count: n - s.count) + s
    }
    var out = pad("scene", 12, left: true) + pad("faces", 9) + pad("size", 9) + pad("ssaa", 6) + pad("shading", 8)
        + pad("thr", 4) + pad("ms/frame", 10) + pad("best", 8) + pad("cpu-ms", 8) + pad("Mtri/s", 8) + "\n"
    for r in rows {
        out += pad(r.scene, 12, left: true) + pad("\(r.faces)", 9) + pad("\(r.width)x\(r.height)", 9)
            + pad("\(r.supersampling)x\(r.supersampling)", 6) + pad(r.shading, 8) + pad("\(r.threads)", 4)
            + pad(String(format: "%.1f", r.msPerFrame), 10) + pad(String(format: "%.1f", r.msBest), 8)
            + pad(String(format: "%.1f", r.cpuMsPerFrame), 8)
            + pad(String(format: "%.2f", r.mTrianglesPerSecond), 8) + "\n"
    }
    return out
}
