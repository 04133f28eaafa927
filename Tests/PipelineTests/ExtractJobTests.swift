import Foundation
import Testing
import Geometry
import MeshIO
@testable import Pipeline

/// A minimal .npy (v1.0, little-endian, C order) written by hand, so the test needs no Python.
private func writeNpy(_ path: String, descr: String, shape: [Int], bytes: Data) throws {
    let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var d = Data([0x93]) + "NUMPY".data(using: .ascii)! + Data([1, 0])
    let n = UInt16(header.utf8.count)
    d += Data([UInt8(n & 0xFF), UInt8(n >> 8)]) + header.data(using: .ascii)! + bytes
    try d.write(to: URL(fileURLWithPath: path))
}

private func floatBytes(_ v: [Float]) -> Data { v.withUnsafeBufferPointer { Data(buffer: $0) } }

/// Sphere SDF of radius 0.3 on an n³ grid over [-0.5, 0.5]³ (the job's default bounds).
private func sphereGrid(_ n: Int) -> [Float] {
    var v: [Float] = []
    for i in 0..<n { for j in 0..<n { for k in 0..<n {
        let p = Vec3(Float(i), Float(j), Float(k)) / Float(n - 1) - 0.5
        v.append(length(p) - 0.3)
    } } }
    return v
}

@Suite("The extract job")
struct ExtractJobTests {
    let dir: String = {
        let p = NSTemporaryDirectory() + "octoplane-extract-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }()

    @Test("an SDF grid (.npy float32) extracts to a watertight sphere of the right size, written as OBJ")
    func sphere() throws {
        try writeNpy("\(dir)/s.npy", descr: "<f4", shape: [40, 40, 40], bytes: floatBytes(sphereGrid(40)))
        let r = try extractMesh(input: "\(dir)/s.npy", output: "\(dir)/s.obj", insideLower: true)
        #expect(r.watertight && r.eulerCharacteristic == 2)
        #expect(abs(r.surfaceArea - 4 * .pi * 0.09) / (4 * .pi * 0.09) < 0.02)
        let back = try MeshReader.read(path: "\(dir)/s.obj")
        #expect(back.faceCount == r.faces)
        #expect(back.signedVolume > 0)
    }

    @Test("wrong dtype, wrong rank, NaN values are typed errors and write nothing; an all-outside grid writes an empty mesh")
    func badInput() throws {
        try writeNpy("\(dir)/i.npy", descr: "<i4", shape: [2, 2, 2], bytes: Data(count: 32))
        #expect(throws: ExtractJobError.badDType(path: "\(dir)/i.npy", descr: "<i4")) {
            try extractMesh(input: "\(dir)/i.npy", output: "\(dir)/i.obj")
        }
        try writeNpy("\(dir)/r.npy", descr: "<f4", shape: [4, 4], bytes: Data(count: 64))
        #expect(throws: ExtractJobError.badRank(path: "\(dir)/r.npy", shape: [4, 4])) {
            try extractMesh(input: "\(dir)/r.npy", output: "\(dir)/r.obj")
        }
        var v = sphereGrid(8); v[100] = .nan
        try writeNpy("\(dir)/n.npy", descr: "<f4", shape: [8, 8, 8], bytes: floatBytes(v))
        #expect(throws: ExtractJobError.self) { try extractMesh(input: "\(dir)/n.npy", output: "\(dir)/n.obj") }
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/i.obj"))
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/n.obj"))
        try writeNpy("\(dir)/o.npy", descr: "<f4", shape: [5, 5, 5], bytes: floatBytes([Float](repeating: 1, count: 125)))
        let r = try extractMesh(input: "\(dir)/o.npy", output: "\(dir)/o.ply", insideLower: true)
        #expect(r.faces == 0)
        #expect(FileManager.default.fileExists(atPath: "\(dir)/o.ply"))
    }
}
