import Foundation
import Testing
import TestSupport
import Extraction
import Geometry
import MeshIO
@testable import Pipeline

/// A minimal .npy (v1.0, little-endian, C order) written by hand, so the tests need no Python.
func writeNpy(_ path: String, descr: String, shape: [Int], bytes: Data) throws {
    let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var d = Data([0x93]) + "NUMPY".data(using: .ascii)! + Data([1, 0])
    let n = UInt16(header.utf8.count)
    d += Data([UInt8(n & 0xFF), UInt8(n >> 8)]) + header.data(using: .ascii)! + bytes
    try d.write(to: URL(fileURLWithPath: path))
}

func floatBytes(_ v: [Float]) -> Data { v.withUnsafeBufferPointer { Data(buffer: $0) } }

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
    let dir: String
    init() throws { dir = try TemporaryDirectory("extract").path }

    @Test("an SDF grid (.npy float32) extracts to a watertight sphere of the right size, written as OBJ")
    func sphere() throws {
        try writeNpy("\(dir)/s.npy", descr: "<f4", shape: [40, 40, 40], bytes: floatBytes(sphereGrid(40)))
        let r = try extract("\(dir)/s.npy", "\(dir)/s.obj", insideLower: true)
        #expect(r.watertight && r.eulerCharacteristic == 2)
        #expect(abs(r.surfaceArea - 4 * .pi * 0.09) / (4 * .pi * 0.09) < 0.02)
        let back = try MeshReader.read(path: "\(dir)/s.obj")
        #expect(back.faceCount == r.faces)
        #expect(back.signedVolume > 0)
    }

    @Test("wrong dtype, wrong rank, NaN values are typed errors and write nothing; an all-outside grid writes an empty mesh")
    func badInput() throws {
        try writeNpy("\(dir)/i.npy", descr: "<i4", shape: [2, 2, 2], bytes: Data(count: 32))
        #expect(throws: PipelineError.invalidInput(path: "\(dir)/i.npy", reason: "expected float32 or float64 values, got dtype '<i4'")) {
            try extract("\(dir)/i.npy", "\(dir)/i.obj")
        }
        try writeNpy("\(dir)/r.npy", descr: "<f4", shape: [4, 4], bytes: Data(count: 64))
        #expect(throws: PipelineError.invalidInput(path: "\(dir)/r.npy", reason: "expected a 3-D grid of shape (nx, ny, nz), got shape (4, 4)")) {
            try extract("\(dir)/r.npy", "\(dir)/r.obj")
        }
        var v = sphereGrid(8); v[100] = .nan
        try writeNpy("\(dir)/n.npy", descr: "<f4", shape: [8, 8, 8], bytes: floatBytes(v))
        #expect(throws: PipelineError.self) { try extract("\(dir)/n.npy", "\(dir)/n.obj") }
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/i.obj"))
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/n.obj"))
        try writeNpy("\(dir)/o.npy", descr: "<f4", shape: [5, 5, 5], bytes: floatBytes([Float](repeating: 1, count: 125)))
        let r = try extract("\(dir)/o.npy", "\(dir)/o.ply", insideLower: true)
        #expect(r.faces == 0)
        #expect(FileManager.default.fileExists(atPath: "\(dir)/o.ply"))
    }

    @Test("zero-length or single-sample axes, all-zero and all-far UDF grids, min ≥ max bounds: typed one-line errors, nothing written")
    func degenerateGrids() throws {
        for shape in [[0, 8, 8], [8, 8, 0], [0, 0, 0], [1, 8, 8]] {
            let path = "\(dir)/z\(shape.map(String.init).joined()).npy"
            try writeNpy(path, descr: "<f4", shape: shape, bytes: Data(count: 4 * shape.reduce(1, *)))
            for method in ExtractMethod.allCases {
                #expect(throws: PipelineError.invalidInput(path: path, reason: ExtractionError.gridTooSmall(SIMD3(shape[0], shape[1], shape[2])).description)) {
                    try extract(path, "\(dir)/z.obj", method: method)
                }
            }
        }
        try writeNpy("\(dir)/zero.npy", descr: "<f4", shape: [6, 6, 6], bytes: floatBytes(.init(repeating: 0, count: 216)))
        #expect(throws: PipelineError.invalidInput(path: "\(dir)/zero.npy", reason: ExtractionError.degenerateUDF(samples: 216).description)) {
            try extract("\(dir)/zero.npy", "\(dir)/z.obj", method: .udf)
        }
        try writeNpy("\(dir)/far.npy", descr: "<f4", shape: [6, 6, 6], bytes: floatBytes(.init(repeating: 5, count: 216)))
        #expect(throws: PipelineError.self) { try extract("\(dir)/far.npy", "\(dir)/z.obj", method: .udf) }
        #expect(throws: PipelineError.invalidOption("bounds [0.0, -1.0, -1.0] … [0.0, 1.0, 1.0]: need finite values with min < max on every axis")) {
            try extract("\(dir)/far.npy", "\(dir)/z.obj", bounds: AABB(min: Vec3(0, -1, -1), max: Vec3(0, 1, 1)))
        }
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/z.obj"))
    }

    @Test("udf: an open disc's unsigned distance grid comes out as one open sheet with one boundary loop")
    func udfDisc() throws {
        let n = 32
        var v = [Float]()
        for i in 0..<n { for j in 0..<n { for k in 0..<n {
            let p = Vec3(Float(i), Float(j), Float(k)) / Float(n - 1) - 0.5
            let rho = (p.x * p.x + p.y * p.y).squareRoot()
            v.append((max(rho - 0.3, 0) * max(rho - 0.3, 0) + (p.z - 0.013) * (p.z - 0.013)).squareRoot())
        } } }
        try writeNpy("\(dir)/disc.npy", descr: "<f4", shape: [n, n, n], bytes: floatBytes(v))
        for method in [ExtractMethod.udf, .dual] {
            let r = try extract("\(dir)/disc.npy", "\(dir)/disc.ply", method: method)
            #expect(r.eulerCharacteristic == 1 && r.nonManifoldEdges == 0 && r.boundaryEdges > 0)
            // The rim ends up to about half a cell short: area within 2h/R = 21% at h = 1/31, R = 0.3.
            #expect(abs(r.surfaceArea - .pi * 0.09) / (.pi * 0.09) < 0.21, "\(r.surfaceArea)")
        }
    }
}

/// `ExtractJob` with the given paths and inside convention, run.
@discardableResult
private func extract(_ input: String, _ output: String, insideLower: Bool = false, method: ExtractMethod = .mc,
                     bounds: AABB = .cube(halfSize: 0.5)) throws -> ExtractResult {
    var job = ExtractJob(input: input, output: output)
    job.insideLower = insideLower; job.method = method; job.bounds = bounds
    return try job.run()
}
