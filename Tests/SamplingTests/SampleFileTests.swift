import Foundation
import Testing
import TestSupport
import Geometry
import ArrayIO
import Support
@testable import Sampling

@Suite("Sample files")
struct SampleFileTests {
    @Test("every format round-trips through its writer and reader")
    func roundTrips() throws {
        let tmp = try TemporaryDirectory("samplefiles"); defer { tmp.remove() }
        let dir = tmp.path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = try SampleRecipe.run(.icosphere(subdivisions: 2, radius: 1), settings: SampleSettings(preset: .onet, count: 1001, seed: 1))
        guard case let .onet(p, c) = out else { Issue.record("wrong output"); return }
        try out.write(to: dir + "/model")
        #expect(try OnetPoints.read(path: dir + "/model/points.npz") == p)       // 1001: a partial last byte
        #expect(try OnetPointCloud.read(path: dir + "/model/pointcloud.npz") == c)
        let nfd = NFDSamples(points: [[0.25, -1, 1], [0, 0, 0.5]], occupancies: [true, false])
        try nfd.write(to: dir + "/a.npy")
        #expect(try NFDSamples.read(path: dir + "/a.npy") == nfd)
        let udf = UDFSamples(points: [[1, 2, 3]], udf: [0.5], gradients: [[0, 1, 0]], loc: [1, 1, 1], scale: 2)
        try udf.write(to: dir + "/u.npz")
        #expect(try UDFSamples.read(path: dir + "/u.npz") == udf)
        // A file of another layout is a typed error, not a crash.
        #expect(throws: ArrayIOError.notNpy) { try NFDSamples.read(path: dir + "/u.npz") }
        try Npy.write(try NpyArray(floats: [1, 2, 3, 7], shape: [1, 4]), to: dir + "/bad.npy")
        #expect(throws: SampleFileError.self) { try NFDSamples.read(path: dir + "/bad.npy") }
        #expect(throws: ArrayIOError.self) { try OnetPoints.read(path: dir + "/a.npy") }
        #expect(throws: (any Error).self) { try OnetPoints.read(path: dir + "/missing.npz") }
    }

    @Test("numpy reads every format with the documented dtypes and shapes", .enabled(if: Prerequisite.met(numpyAvailable), "python3 with numpy is not installed"))
    func numpyReads() throws {
        let tmp = try TemporaryDirectory("samplefiles-np"); defer { tmp.remove() }
        let dir = tmp.path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let mesh = TriangleMesh.icosphere(subdivisions: 2, radius: 1)
        let onet = try SampleRecipe.run(mesh, settings: SampleSettings(preset: .onet, count: 1000, seed: 1))
        try onet.write(to: dir + "/onet")
        let nfd = try SampleRecipe.run(mesh, settings: SampleSettings(preset: .nfd, count: 1000, seed: 1))
        try nfd.write(to: dir + "/nfd.npy")
        let udf = try SampleRecipe.run(mesh, settings: SampleSettings(preset: .udf, count: 1000, seed: 1))
        try udf.write(to: dir + "/udf.npz")
        guard case let .onet(op, _) = onet else { Issue.record("wrong output"); return }
        let inside = op.occupancies.filter { $0 }.count
        let script = """
        import sys, numpy as np
        d = sys.argv[1]
        p = np.load(d + '/onet/points.npz')
        assert p['points'].dtype == np.float16 and p['points'].shape == (1000, 3), p['points'].shape
        assert p['occupancies'].dtype == np.uint8 and p['occupancies'].shape == (125,)
        occ = np.unpackbits(p['occupancies'])[:1000]
        assert occ.sum() == int(sys.argv[2]), occ.sum()
        assert p['loc'].shape == (3,) and p['scale'].shape == ()
        assert np.all(np.abs(p['points']) <= 0.55)
        c = np.load(d + '/onet/pointcloud.npz')
        assert c['points'].shape == (100000, 3) and c['normals'].shape == (100000, 3)
        assert np.allclose(np.linalg.norm(c['normals'].astype(np.float32), axis=1), 1, atol=2e-3)
        n = np.load(d + '/nfd.npy')
        assert n.dtype == np.float32 and n.shape == (1000, 4) and set(np.unique(n[:, 3])) <= {0.0, 1.0}
        u = np.load(d + '/udf.npz')
        assert u['points'].shape == (1000, 3) and u['udf'].shape == (1000,) and u['gradient'].shape == (1000, 3)
        assert np.all(u['udf'] >= 0)
        print('ok')
        """
        let (status, output) = runPython(script, [dir, String(inside)])
        #expect(status == 0, "\(output)")
    }
}
