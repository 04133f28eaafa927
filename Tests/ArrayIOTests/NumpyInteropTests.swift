import Foundation
import Testing
import TestSupport
@testable import ArrayIO

@Suite("numpy interoperability", .enabled(if: Prerequisite.met(numpyAvailable), "python3 with numpy is not installed"))
struct NumpyInteropTests {
    let dir: String
    init() throws { dir = try TemporaryDirectory("arrayio-np").path }

    @Test("numpy loads what Octoplane writes, with the same dtypes, shapes and values")
    func numpyReadsOurs() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let f16 = (0..<60).map { Float($0) * 0.37 - 9 }
        try Npz.write([
            "f4": try NpyArray(floats: (0..<24).map { Float($0) / 3 }, shape: [2, 3, 4]),
            "f8": try NpyArray(doubles: [.pi, -1e-300]),
            "f2": try NpyArray(float16From: f16, shape: [20, 3]),
            "i4": try NpyArray(int32s: [-5, 7]), "i8": try NpyArray(int64s: [Int64.min, 3]),
            "u1": try NpyArray(uint8s: PackBits.pack([true, false, false, true, true, true, false, false, true])),
            "b1": try NpyArray(bools: [true, false]), "s": NpyArray(scalar: 0.25),
        ], to: dir + "/a.npz")
        try Npy.write(try NpyArray(floats: [1, 2, 3, 4, 5, 6], shape: [3, 2]), to: dir + "/b.npy")
        let script = """
        import sys, numpy as np
        d = sys.argv[1]
        z = np.load(d + '/a.npz')
        assert sorted(z.files) == ['b1','f2','f4','f8','i4','i8','s','u1'], z.files
        assert z['f4'].dtype == np.float32 and z['f4'].shape == (2,3,4)
        assert np.array_equal(z['f4'], (np.arange(24, dtype=np.float32) / np.float32(3)).reshape(2,3,4))
        assert z['f8'].dtype == np.float64 and z['f8'][0] == np.pi and z['f8'][1] == -1e-300
        ref = (np.arange(60, dtype=np.float32) * np.float32(0.37) - np.float32(9)).astype(np.float16).reshape(20,3)
        assert z['f2'].dtype == np.float16 and np.array_equal(z['f2'].view(np.uint16), ref.view(np.uint16))
        assert z['i4'].dtype == np.int32 and list(z['i4']) == [-5, 7]
        assert z['i8'].dtype == np.int64 and z['i8'][0] == np.iinfo(np.int64).min
        assert list(np.unpackbits(z['u1'])[:9]) == [1,0,0,1,1,1,0,0,1]
        assert z['b1'].dtype == np.bool_ and list(z['b1']) == [True, False]
        assert z['s'].shape == () and z['s'] == 0.25
        b = np.load(d + '/b.npy')
        assert b.dtype == np.float32 and b.shape == (3,2) and b[2,1] == 6 and b.flags['C_CONTIGUOUS']
        print('ok')
        """
        let (rc, out) = runPython(script, [dir])
        #expect(rc == 0 && out.contains("ok"), "\(out)")
    }

    @Test("Octoplane reads what numpy writes: savez, savez_compressed, Fortran order, big-endian, bool")
    func weReadNumpys() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let script = """
        import sys, numpy as np
        d = sys.argv[1]
        a = (np.arange(24, dtype=np.float64) / 7).reshape(2, 3, 4)
        np.savez(d + '/s.npz', a=a, h=a.astype(np.float16), b=a > 1, i=np.arange(5, dtype=np.uint32))
        np.savez_compressed(d + '/c.npz', a=a.astype(np.float32), o=np.packbits(a.ravel() > 1))
        np.save(d + '/f.npy', np.asfortranarray(a.astype('>f4')))
        """
        let (rc, out) = runPython(script, [dir])
        try #require(rc == 0, "\(out)")
        let ref = (0..<24).map { Double($0) / 7 }
        let s = try Npz.read(dir + "/s.npz")
        #expect(try s.array("a").doubles() == ref)
        #expect(try s.array("a").shape == [2, 3, 4])
        #expect(try s.array("h").floats() == ref.map { HalfFloat.float(fromBits: HalfFloat.bits(from: Float($0))) })
        #expect(try s.array("b").bools() == ref.map { $0 > 1 })
        #expect(try s.array("i").int64s() == [0, 1, 2, 3, 4])
        let c = try Npz.read(dir + "/c.npz")
        #expect(try c.array("a").floats() == ref.map { Float($0) })
        #expect(PackBits.unpack(try c.array("o").uint8s(), count: 24) == ref.map { $0 > 1 })
        let f = try Npy.read(dir + "/f.npy")
        #expect(f.shape == [2, 3, 4])
        #expect(try f.floats() == ref.map { Float($0) })
    }
}
