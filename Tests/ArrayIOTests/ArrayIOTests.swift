import Foundation
import Testing
import TestSupport
@testable import ArrayIO

/// A numpy-written `np.savez_compressed(a=arange(12, f4).reshape(3,4)/8, occ=packbits([1,0,1,1,0,0,0,1,1,1]))`:
/// DEFLATE members with zip64 local extras, exactly as numpy 2.x writes them.
let savezCompressedFixture = "UEsDBC0AAAAIAAAAIQA6IyRt//////////8FABQAYS5ucHkBABAAsAAAAAAAAABmAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6TZqKuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GsY6CiaaOgq1CmQDLgYIsGNgaADiA0DMYM/AoADEDkCcAMQNQDwBiBcA8QZ7AFBLAwQtAAAACAAAACEARg/Kzv//////////BwAUAG9jYy5ucHkBABAAggAAAAAAAABGAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loF5Taqiuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GkY6mjoKtQoUAK6NBwBQSwECLQMtAAAACAAAACEAOiMkbWYAAACwAAAABQAAAAAAAAAAAAAAgAEAAAAAYS5ucHlQSwECLQMtAAAACAAAACEARg/KzkYAAACCAAAABwAAAAAAAAAAAAAAgAGdAAAAb2NjLm5weVBLBQYAAAAAAgACAGgAAAAcAQAAAAA="
/// `np.save(np.array([[1,2,3],[4,5,6]], dtype='>i4', order='F'))`: big-endian, Fortran order.
let bigEndianFortranFixture = "k05VTVBZAQB2AHsnZGVzY3InOiAnPmk0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAABAAAABAAAAAIAAAAFAAAAAwAAAAY="

@Suite("Half-precision conversion")
struct HalfFloatTests {
    @Test("every finite half survives half → float → half exactly; NaNs stay NaN")
    func exhaustiveRoundTrip() {
        for b in 0...0xFFFF {
            let h = UInt16(b)
            let f = HalfFloat.float(fromBits: h)
            if f.isNaN { #expect(HalfFloat.float(fromBits: HalfFloat.bits(from: f)).isNaN) } else {
                #expect(HalfFloat.bits(from: f) == h, "bits \(h)")
            }
        }
    }

    #if arch(x86_64) || arch(arm64)
    @Test("float → half rounds to nearest even exactly like the hardware/compiler-rt Float16 conversion")
    func matchesSwiftFloat16() {
        var s: UInt64 = 12345
        for i in 0..<200_000 {
            s = s &* 6364136223846793005 &+ 1442695040888963407
            // Mix random bit patterns with values near half's range, subnormals and ties.
            let f: Float = i % 2 == 0 ? Float(bitPattern: UInt32(truncatingIfNeeded: s >> 32))
                                      : Float(Int64(bitPattern: s) % 140_000) / Float(1 << (Int(s & 31)))
            if f.isNaN { continue }
            #expect(HalfFloat.bits(from: f) == Float16(f).bitPattern, "value \(f)")
        }
        for f: Float in [65504, 65519.99, 65520, 1e-8, 2.9802322e-08, 5.96e-8, -0.0, .infinity, -.infinity, 0.1, 1.0 / 3] {
            #expect(HalfFloat.bits(from: f) == Float16(f).bitPattern, "value \(f)")
        }
    }
    #endif
}

@Suite("The .npy format")
struct NpyTests {
    @Test("every dtype and shape, 0-d and empty arrays included, survives encode → decode")
    func roundTrip() throws {
        let cases: [NpyArray] = [
            try NpyArray(floats: (0..<24).map { Float($0) * 0.5 - 3 }, shape: [2, 3, 4]),
            try NpyArray(doubles: [1e300, -2.5, .pi], shape: [3]),
            try NpyArray(float16From: [0.5, -1, 65504, 1e-7], shape: [2, 2]),
            try NpyArray(int32s: [Int32.min, -1, 0, Int32.max], shape: [4, 1]),
            try NpyArray(int64s: [Int64.min, 42], shape: [2]),
            try NpyArray(uint32s: [UInt32.max, 7], shape: [1, 2]),
            try NpyArray(uint8s: [0, 255, 3], shape: [3]),
            try NpyArray(bools: [true, false, true, true], shape: [2, 2]),
            try NpyArray(floats: [], shape: [0, 3]),
            NpyArray(scalar: 0.625),
        ]
        for a in cases {
            let bytes = Npy.encode(a)
            #expect(bytes.count % 64 == a.data.count % 64, "data must start on a 64-byte boundary")
            let b = try Npy.decode(bytes)
            #expect(b == a)
        }
        #expect(try Npy.decode(Npy.encode(NpyArray(float16From: [0.5, -1, 65504], shape: [3]))).floats() == [0.5, -1, 65504])
        #expect(try Npy.decode(Npy.encode(NpyArray(scalar: 0.625))).shape == [])
    }

    @Test("big-endian Fortran-order files written by numpy are read in C order")
    func bigEndianFortran() throws {
        let a = try Npy.decode(Data(base64Encoded: bigEndianFortranFixture)!)
        #expect(a.shape == [2, 3])
        #expect(try a.int32s() == [1, 2, 3, 4, 5, 6])
    }

    @Test("a Fortran-order rank-3 array is transposed into C order")
    func fortranRank3() throws {
        // C-order values v[i][j][k] = 100i + 10j + k, shape (2, 3, 4), laid out in Fortran order.
        var f = [Int32]()
        for k in 0..<4 { for j in 0..<3 { for i in 0..<2 { f.append(Int32(100 * i + 10 * j + k)) } } }
        var bytes = Npy.encode(try NpyArray(int32s: f, shape: [2, 3, 4]))
        let header = String(decoding: bytes, as: UTF8.self)
        #expect(header.contains("'fortran_order': False"))
        let r = bytes.range(of: Data("False".utf8))!
        bytes.replaceSubrange(r, with: Data("True ".utf8))
        let a = try Npy.decode(bytes)
        var c = [Int32]()
        for i in 0..<2 { for j in 0..<3 { for k in 0..<4 { c.append(Int32(100 * i + 10 * j + k)) } } }
        #expect(try a.int32s() == c)
    }

    @Test("version 2.0 and 3.0 headers and double-quoted keys parse")
    func versions() throws {
        for major: UInt8 in [2, 3] {
            var h = "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2,)}"
            h += String(repeating: " ", count: (64 - (12 + h.utf8.count + 1) % 64) % 64) + "\n"
            var d = Data(Npy.magic); d.append(contentsOf: [major, 0])
            let n = UInt32(h.utf8.count)
            withUnsafeBytes(of: n.littleEndian) { d.append(contentsOf: $0) }
            d.append(contentsOf: Array(h.utf8))
            withUnsafeBytes(of: Float(1.5).bitPattern.littleEndian) { d.append(contentsOf: $0) }
            withUnsafeBytes(of: Float(-2).bitPattern.littleEndian) { d.append(contentsOf: $0) }
            #expect(try Npy.decode(d).floats() == [1.5, -2])
        }
    }

    @Test("corrupt, truncated and unsupported files throw typed errors")
    func corrupt() throws {
        let good = Npy.encode(try NpyArray(floats: [1, 2, 3, 4], shape: [2, 2]))
        #expect(throws: ArrayIOError.notNpy) { try Npy.decode(Data("hello world, not numpy".utf8)) }
        #expect(throws: ArrayIOError.truncated(expectedBytes: 16, actualBytes: 12)) { try Npy.decode(good.dropLast(4)) }
        #expect(throws: ArrayIOError.self) { try Npy.decode(good.prefix(40)) }
        var v9 = good; v9[6] = 9
        #expect(throws: ArrayIOError.unsupportedVersion(major: 9, minor: 0)) { try Npy.decode(v9) }
        func withHeader(_ h: String) -> Data {
            var d = Data(Npy.magic); d.append(contentsOf: [1, 0, UInt8(h.utf8.count), 0]); d.append(contentsOf: Array(h.utf8)); return d
        }
        #expect(throws: ArrayIOError.unsupportedDType("<c8")) { try Npy.decode(withHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (0,), }\n")) }
        #expect(throws: ArrayIOError.unsupportedDType("structured dtype")) {
            try Npy.decode(withHeader("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (0,), }\n"))
        }
        #expect(throws: ArrayIOError.self) { try Npy.decode(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }\n")) }
        #expect(throws: ArrayIOError.self) { try Npy.decode(withHeader("{'descr': '<f4', 'shape': (1,), }\n")) }
        #expect(throws: ArrayIOError.self) { try Npy.decode(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1,")) }
        #expect(throws: ArrayIOError.self) { try Npy.decode(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999, 99999999999), }\n")) }
        #expect(throws: ArrayIOError.unreadable(path: "/nonexistent/x.npy", reason: "no such file")) { try Npy.read("/nonexistent/x.npy") }
    }

    @Test("typed accessors refuse the wrong kind of dtype and check shapes")
    func accessors() throws {
        let ints = try NpyArray(int64s: [1, 2, 3, 4, 5, 6], shape: [2, 3])
        #expect(throws: ArrayIOError.dtypeMismatch(requested: "a floating-point array", actual: "<i8")) { try ints.floats() }
        #expect(throws: ArrayIOError.self) { try NpyArray(floats: [1]).int64s() }
        #expect(throws: ArrayIOError.shapeMismatch(expected: [nil, 4], actual: [2, 3])) { try ints.checkShape([nil, 4]) }
        try ints.checkShape([nil, 3])
        #expect(throws: ArrayIOError.self) { try ints.checkShape([6]) }
        #expect(throws: ArrayIOError.countMismatch(shape: [2, 2], count: 3)) { try NpyArray(floats: [1, 2, 3], shape: [2, 2]) }
        #expect(throws: ArrayIOError.self) { try NpyArray(int64s: [1, 1 << 40]).int32s() }
        #expect(try NpyArray(uint8s: [0, 2]).bools() == [false, true])
        #expect(try NpyArray(doubles: [0.1]).floats() == [Float(0.1)])
    }

    @Test("packbits uses numpy's big-endian bit order and pads the last byte with zeros")
    func packBits() {
        let bits = [true, false, true, true, false, false, false, true, true, true]
        #expect(PackBits.pack(bits) == [0b1011_0001, 0b1100_0000])
        #expect(PackBits.unpack(PackBits.pack(bits), count: bits.count) == bits)
        #expect(PackBits.pack([]) == [])
    }
}

@Suite("The .npz format")
struct NpzTests {
    @Test("write → read returns the same arrays, and files are byte-identical for equal input")
    func roundTrip() throws {
        let arrays: [String: NpyArray] = [
            "points": try NpyArray(float16From: (0..<30).map { Float($0) / 7 }, shape: [10, 3]),
            "occupancies": try NpyArray(uint8s: PackBits.pack([true, false, true]), shape: [1]),
            "scale": NpyArray(scalar: 2),
            "empty": try NpyArray(int32s: [], shape: [0]),
        ]
        let tmp = try TemporaryDirectory("arrayio"); defer { tmp.remove() }
        let dir = tmp.path
        try Npz.write(arrays, to: dir + "/a.npz")
        try Npz.write(arrays, to: dir + "/b.npz")
        #expect(try Npz.read(dir + "/a.npz") == arrays)
        #expect(FileManager.default.contents(atPath: dir + "/a.npz") == FileManager.default.contents(atPath: dir + "/b.npz"))
        #expect(throws: ArrayIOError.missingMember("normals")) { try Npz.read(dir + "/a.npz").array("normals") }
    }

    @Test("numpy's DEFLATE (savez_compressed) members with zip64 extras are read")
    func deflate() throws {
        let z = try Npz.decode(Data(base64Encoded: savezCompressedFixture)!)
        #expect(Set(z.keys) == ["a", "occ"])
        #expect(try z.array("a").floats() == (0..<12).map { Float($0) / 8 })
        #expect(try z.array("a").shape == [3, 4])
        #expect(try z.array("occ").uint8s() == PackBits.pack([true, false, true, true, false, false, false, true, true, true]))
    }

    @Test("a flipped payload byte fails the CRC; truncation and garbage are corrupt archives")
    func corrupt() throws {
        let good = try Npz.encode(ordered: [("x", NpyArray(floats: [1, 2, 3, 4]))])
        var flipped = good; flipped[good.count / 3] ^= 0x40
        #expect(throws: ArrayIOError.self) { try Npz.decode(flipped) }
        #expect(throws: ArrayIOError.checksumMismatch(member: "x.npy")) {
            var f = good; f[30 + 5 + 64 + 2] ^= 1; _ = try Npz.decode(f) // local header, name, 64-byte .npy header, then the floats
        }
        for cut in [10, good.count / 2, good.count - 5] {
            #expect(throws: ArrayIOError.self) { try Npz.decode(good.prefix(cut)) }
        }
        #expect(throws: ArrayIOError.self) { try Npz.decode(Data(repeating: 0x50, count: 1000)) }
        var deflated = Data(base64Encoded: savezCompressedFixture)!
        deflated[80] ^= 0xFF
        #expect(throws: ArrayIOError.self) { try Npz.decode(deflated) }
    }
}
