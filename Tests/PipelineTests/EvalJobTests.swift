import ArrayIO
import Foundation
import Testing
import TestSupport
import Geometry
import MeshIO
import Metrics
import Sampling
@testable import Pipeline

private func writeCloud(_ pts: [Vec3], _ path: String) throws {
    try Npy.write(try NpyArray(floats: pts.flatMap { [$0.x, $0.y, $0.z] }, shape: [pts.count, 3]), to: path)
}

@Suite("The eval and eval-set jobs")
struct EvalJobTests {
    @Test("eval-set over folders of meshes and .npy clouds: typed names, seeded, identical sets cover fully")
    func evalSetFolders() throws {
        let g = try TemporaryDirectory("eval").path, r = try TemporaryDirectory("eval").path
        defer { try? FileManager.default.removeItem(atPath: g); try? FileManager.default.removeItem(atPath: r) }
        for (i, rad) in [Float(0.2), 0.3, 0.4].enumerated() {
            try MeshWriter.write(.icosphere(subdivisions: 2, radius: rad), to: "\(r)/s\(i).obj")
            try MeshWriter.write(.icosphere(subdivisions: 2, radius: rad), to: "\(g)/s\(i).ply")
        }
        // A .npy cloud larger than the per-shape count is subsampled.
        let big = TriangleMesh.icosphere(subdivisions: 3, radius: 0.3).sampleSurface(count: 5000, seed: 3).points
        try writeCloud(big, "\(g)/cloud.npy")
        try "not a shape".write(toFile: "\(g)/notes.txt", atomically: true, encoding: .utf8)
        var o = EvalSetOptions(); o.pointsPerShape = 512; o.progress = false
        let rep = try EvalSetJob(generated: g, reference: r, options: o).run()
        #expect(rep.generatedFiles == ["cloud.npy", "s0.ply", "s1.ply", "s2.ply"] && rep.referenceFiles == ["s0.obj", "s1.obj", "s2.obj"])
        #expect(rep.metrics.covCD == 1)
        #expect(rep.metrics.mmdCD < 2e-3)   // same spheres, independent 512-point samples
        #expect(try EvalSetJob(generated: g, reference: r, options: o).run() == rep)
        #expect(rep.text.contains("1-NNA-CD"))
        let decoded = try JSONDecoder().decode(EvalSetReport.self, from: Data(rep.json.utf8))
        #expect(decoded == rep)
    }

    @Test("eval-set errors name the folder or file at fault")
    func evalSetErrors() throws {
        let g = try TemporaryDirectory("eval").path, r = try TemporaryDirectory("eval").path
        defer { try? FileManager.default.removeItem(atPath: g); try? FileManager.default.removeItem(atPath: r) }
        var o = EvalSetOptions(); o.progress = false
        #expect(throws: PipelineError.invalidInput(path: g, reason: "no mesh or .npy files in this folder")) {
            try EvalSetJob(generated: g, reference: r, options: o).run()
        }
        try writeCloud([Vec3(0, 0, 0)], "\(g)/a.npy")
        try writeCloud([Vec3(.nan, 0, 0)], "\(r)/bad.npy")
        do {
            _ = try EvalSetJob(generated: g, reference: r, options: o).run()
            Issue.record("expected an error")
        } catch let e as PipelineError {
            #expect(e.description.contains("bad.npy"))
        }
    }

    @Test("eval of a mesh against itself: Chamfer 0-ish, F 1, NC 1, IoU 1; against a shifted copy: the shift")
    func evalMeshes() throws {
        let d = try TemporaryDirectory("eval").path; defer { try? FileManager.default.removeItem(atPath: d) }
        let box = TriangleMesh.box(size: Vec3(0.6, 0.6, 0.6))
        try MeshWriter.write(box, to: "\(d)/a.obj")
        try MeshWriter.write(box.transformed(rotation: .identity, translation: Vec3(0.3, 0, 0)), to: "\(d)/b.obj")
        var o = EvalOptions(); o.points = 20_000; o.iouPoints = 50_000
        let same = try EvalJob(prediction: "\(d)/a.obj", reference: "\(d)/a.obj", options: o).run()
        #expect(same.iou == 1)
        // Two independent 20k samples of a 2.16-area box: mean NN distance ≈ ½·sqrt(2.16 / 20k) ≈ 0.005;
        // points near an edge may match across it (perpendicular normals), so NC is a bit below 1.
        #expect(same.surface!.chamferL1 < 8e-3 && same.surface!.fScores[1].value > 0.9)
        #expect(same.surface!.normalConsistency! > 0.97)
        let shifted = try EvalJob(prediction: "\(d)/b.obj", reference: "\(d)/a.obj", options: o).run()
        // Boxes of side 0.6 shifted by half a side: IoU = 0.3 / 0.9 = 1/3.
        #expect(abs(shifted.iou! - 1.0 / 3) < 0.01)
        #expect(shifted.text.contains("IoU") && shifted.text.contains("Chamfer-L1"))
        // Same seed, same numbers.
        #expect(try EvalJob(prediction: "\(d)/b.obj", reference: "\(d)/a.obj", options: o).run() == shifted)
    }

    @Test("eval errors name the file: missing, empty cloud, wrong .npy shape")
    func evalErrors() throws {
        let d = try TemporaryDirectory("eval").path; defer { try? FileManager.default.removeItem(atPath: d) }
        try MeshWriter.write(.icosphere(subdivisions: 1), to: "\(d)/s.obj")
        #expect(throws: PipelineError.invalidInput(path: "\(d)/missing.obj", reason: "no such file or folder")) {
            try EvalJob(prediction: "\(d)/missing.obj", reference: "\(d)/s.obj").run()
        }
        try writeCloud([], "\(d)/empty.npy")
        #expect(throws: PipelineError.invalidInput(path: "\(d)/empty.npy", reason: MetricsError.emptyPointCloud(role: "\(d)/empty.npy").description)) {
            try EvalJob(prediction: "\(d)/empty.npy", reference: "\(d)/s.obj").run()
        }
        try Npy.write(try NpyArray(floats: [1, 2, 3, 4], shape: [2, 2]), to: "\(d)/flat.npy")
        #expect(throws: PipelineError.self) { try EvalJob(prediction: "\(d)/flat.npy", reference: "\(d)/s.obj").run() }
    }

    @Test("eval against an ONet model folder: pointcloud.npz for surface metrics, points.npz for IoU")
    func evalOnetFolder() throws {
        let d = try TemporaryDirectory("eval").path; defer { try? FileManager.default.removeItem(atPath: d) }
        let sphere = TriangleMesh.icosphere(subdivisions: 4, radius: 0.4)
        try MeshWriter.write(sphere, to: "\(d)/pred.obj")
        try FileManager.default.createDirectory(atPath: "\(d)/model", withIntermediateDirectories: true)
        let s = sphere.sampleSurface(count: 30_000, seed: 11)
        try OnetPointCloud(points: s.points, normals: s.normals, loc: .zero, scale: 1).write(to: "\(d)/model/pointcloud.npz")
        let u = VolumetricIoU.uniformPoints(in: .cube(halfSize: 0.55), count: 40_000, seed: 12)
        try OnetPoints(points: u, occupancies: u.map { length($0) < 0.4 }, loc: .zero, scale: 1).write(to: "\(d)/model/points.npz")
        var o = EvalOptions(); o.points = 30_000
        let r = try EvalJob(prediction: "\(d)/pred.obj", reference: "\(d)/model", options: o).run()
        #expect(r.referenceKind == .onetFolder && r.iouSource == "points.npz" && r.iouPoints == 40_000)
        // The icosphere is inscribed in the analytic sphere the occupancies come from.
        #expect(r.iou! > 0.97 && r.iou! < 1)
        #expect(r.surface!.fScores[1].value > 0.97 && r.surface!.normalConsistency! > 0.98)
        #expect(r.surface!.referencePoints == 30_000)
        // points.npz alone: IoU only.
        let iouOnly = try EvalJob(prediction: "\(d)/pred.obj", reference: "\(d)/model/points.npz", options: o).run()
        #expect(iouOnly.surface == nil && iouOnly.iou == r.iou)
        // A point-cloud prediction against points.npz has nothing to compare.
        try writeCloud(s.points, "\(d)/pred.npy")
        #expect(throws: PipelineError.self) { try EvalJob(prediction: "\(d)/pred.npy", reference: "\(d)/model/points.npz").run() }
    }

    @Test("solid-surface sampling drops the faces one part hides inside another and keeps every face of a single solid")
    func solidSurface() throws {
        let a = TriangleMesh.box(size: Vec3(1.2, 1, 1), center: Vec3(-0.4, 0, 0))      // x ∈ [-1, 0.2]
        let b = TriangleMesh.box(size: Vec3(1.2, 0.6, 0.6), center: Vec3(0.4, 0, 0))   // x ∈ [-0.2, 1], inside a for x < 0.2
        let union = TriangleMesh.merged([a, b])
        let kept = try surfaceCloud(union, count: 2000, seed: 3, role: "union", solidOnly: true)
        #expect(kept.count == 2000)
        func strictlyInside(_ p: Vec3, _ lo: Vec3, _ hi: Vec3) -> Bool { (0..<3).allSatisfy { p[$0] > lo[$0] + 1e-3 && p[$0] < hi[$0] - 1e-3 } }
        #expect(!kept.contains { strictlyInside($0, Vec3(-1, -0.5, -0.5), Vec3(0.2, 0.5, 0.5)) || strictlyInside($0, Vec3(-0.2, -0.3, -0.3), Vec3(1, 0.3, 0.3)) })
        // The plain samples do hit the hidden faces (b's end cap and sides inside a): the filter is not idle.
        let plain = try surfaceCloud(union, count: 2000, seed: 3, role: "union", solidOnly: false)
        #expect(plain.filter { strictlyInside($0, Vec3(-1, -0.5, -0.5), Vec3(0.2, 0.5, 0.5)) }.count > 100)
        // One closed box has no hidden face: every sample is on it.
        let single = try surfaceCloud(a, count: 500, seed: 1, role: "box", solidOnly: true)
        #expect(single.count == 500 && !single.contains { strictlyInside($0, Vec3(-1, -0.5, -0.5), Vec3(0.2, 0.5, 0.5)) })
    }
}
