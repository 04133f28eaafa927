import ArrayIO
import Foundation
import Support
import Testing
import TestSupport
@testable import TensorCore

private func fixturePath(_ name: String) -> String {
    Bundle.module.path(forResource: "Fixtures/\(name)", ofType: nil) ?? Bundle.module.bundlePath + "/Fixtures/\(name)"
}

/// A header + data built by hand, for corruption tests.
private func rawFile(header: String, data: [UInt8], declaredLength: UInt64? = nil) -> Data {
    var d = Data()
    var n = (declaredLength ?? UInt64(header.utf8.count)).littleEndian
    withUnsafeBytes(of: &n) { d.append(contentsOf: $0) }
    d.append(contentsOf: Array(header.utf8))
    d.append(contentsOf: data)
    return d
}

/// Python with the `safetensors` package: the peers' virtualenv (`$OCTOPLANE_PEERS_VENV`, default
/// ~/.cache/octoplane/peers-venv; `Scripts/install-deps.sh --test` creates it) if present.
private let pythonWithSafetensors: String? = {
    let venv = (ProcessInfo.processInfo.environment["OCTOPLANE_PEERS_VENV"]
                ?? FileManager.default.homeDirectoryForCurrentUser.path + "/.cache/octoplane/peers-venv") + "/bin/python"
    for py in [venv, "/usr/bin/python3"] where FileManager.default.isExecutableFile(atPath: py) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: py)
        p.arguments = ["-c", "import safetensors.numpy"]
        p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
        if (try? p.run()) != nil { p.waitUntilExit(); if p.terminationStatus == 0 { return py } }
    }
    return nil
}()

@Suite("safetensors checkpoints and .npy tensors")
struct SafetensorsTests {
    @Test("a checkpoint round-trips values, shapes, names and metadata")
    func roundTrip() throws {
        var rng = SeededRandom(seed: 3)
        let tensors = ["a.weight": Tensor.randn([4, 5], rng: &rng), "a.bias": Tensor.randn([5], rng: &rng),
                       "scalar": Tensor(scalar: -0.5), "empty": Tensor(zeros: [0, 2])]
        let tmp = try TemporaryDirectory("safetensors"); defer { tmp.remove() }
        let path = tmp.path + "/rt.safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Safetensors.write(tensors, metadata: ["step": "12"], to: path)
        let f = try Safetensors.read(path)
        #expect(f.names == tensors.keys.sorted())
        #expect(f.metadata == ["step": "12"])
        for (k, t) in tensors {
            let r = try f.tensor(k)
            #expect(r.shape == t.shape && r.scalars == t.scalars, "\(k)")
        }
        #expect(throws: SafetensorsError.shapeMismatch(tensor: "a.bias", expected: [4], actual: [5])) { try f.tensor("a.bias", shape: [4]) }
        #expect(throws: SafetensorsError.missingTensor("nope")) { try f.tensor("nope") }
    }

    @Test("F16 storage holds every value rounded to its nearest half, in half the bytes; values past 65504 are refused naming the tensor")
    func float16Storage() throws {
        var rng = SeededRandom(seed: 4)
        let tensors = ["w": Tensor.randn([64, 33], std: 0.05, rng: &rng), "b": Tensor([1, -2.5, 65504, 1e-7, 0], shape: [5])]
        let f32 = try Safetensors.encode(tensors, metadata: ["k": "v"]), f16 = try Safetensors.encode(tensors, metadata: ["k": "v"], dtype: .f16)
        let f = try Safetensors.decode(f16)
        #expect(f.metadata == ["k": "v"] && f.entries["w"]?.dtype == .f16)
        #expect(f16.count < f32.count / 2 + 512)
        for (k, t) in tensors {
            let expected = t.scalars.map { HalfFloat.float(fromBits: HalfFloat.bits(from: $0)) }
            #expect(try f.tensor(k).scalars == expected, "\(k)")
            for (a, b) in zip(t.scalars, expected) where Swift.abs(a) >= 6.2e-5 { #expect(Swift.abs(a - b) <= Swift.abs(a) * 4.9e-4) }
        }
        #expect(throws: SafetensorsError.notRepresentable(tensor: "big", dtype: "F16")) {
            try Safetensors.encode(["big": Tensor([1, 70_000], shape: [2])], dtype: .f16)
        }
    }

    @Test("a file written by Python's safetensors loads with the right values in every dtype")
    func pythonFixture() throws {
        let f = try Safetensors.read(fixturePath("python-written.safetensors"))
        #expect(f.metadata == ["format": "pt", "producer": "make-safetensors-fixture.py"])
        #expect(Set(f.names) == ["weight", "half", "bf16", "double", "steps", "scalar", "empty"])
        #expect(f.entries["bf16"]?.dtype == .bf16 && f.entries["half"]?.dtype == .f16 && f.entries["steps"]?.dtype == .i64)
        let w = try f.tensor("weight")
        #expect(w.shape == [3, 4] && w.scalars == (0..<12).map { Float($0) * 0.25 - 1.5 })
        #expect(try f.tensor("half").scalars == (0..<6).map { Float($0) * 0.5 - 1 })
        #expect(try f.tensor("half").shape == [2, 3])
        #expect(try f.tensor("bf16").scalars == [1, -2, 0.5, 3.75])
        #expect(try f.tensor("double").scalars == [Float(Double.pi), -1e-3])
        #expect(try f.tensor("steps").scalars == [1, -7, 123456])
        let s = try f.tensor("scalar")
        #expect(s.shape == [] && s.item == 2.5)
        #expect(try f.tensor("empty").shape == [0, 3])
    }

    @Test("every truncation of a valid file is rejected with a typed error")
    func truncation() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fixturePath("python-written.safetensors")))
        for cut in [0, 3, 7, 8, 20, 100, bytes.count - 60, bytes.count - 1] {
            #expect(throws: SafetensorsError.self, "cut at \(cut)") { try Safetensors.decode(bytes.prefix(cut)) }
        }
    }

    static let corrupt: [(String, Data, SafetensorsError)] = [
        ("huge length prefix", rawFile(header: "{}", data: [], declaredLength: 1 << 40), .headerTooLarge(1 << 40)),
        ("length past the end", rawFile(header: "{}", data: [], declaredLength: 50), .truncated(expectedBytes: 58, actualBytes: 10)),
        ("not an object", rawFile(header: "[1, 2]  ", data: []), .invalidHeader("does not start with '{'")),
        ("not JSON", rawFile(header: "{\"a\": ", data: []), .invalidHeader("not valid JSON")),
        ("unknown dtype", rawFile(header: #"{"x":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
         .unsupportedDType(tensor: "x", dtype: "F33")),
        ("negative dimension", rawFile(header: #"{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
         .invalidShape(tensor: "x")),
        ("fractional dimension", rawFile(header: #"{"x":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
         .invalidShape(tensor: "x")),
        ("range shorter than the shape", rawFile(header: #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
         .invalidByteRange(tensor: "x", reason: "4 bytes for shape [2] of F32 (needs 8)")),
        ("reversed range", rawFile(header: #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, data: [0, 0, 0, 0]),
         .invalidByteRange(tensor: "x", reason: "[4, 0] is reversed or negative")),
        ("range past the data", rawFile(header: #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0]),
         .truncated(expectedBytes: 8 + 54 + 8, actualBytes: 8 + 54 + 4)),
        ("hole between tensors", rawFile(header: #"{"x":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"#, data: [0, 0]),
         .dataNotFullyIndexed("hole of 1 bytes before 'x'")),
        ("overlapping tensors", rawFile(header: #"{"x":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"y":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"#, data: [0, 0]),
         .dataNotFullyIndexed("'y' overlaps the previous tensor")),
        ("trailing bytes", rawFile(header: #"{"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#, data: [0, 9]),
         .dataNotFullyIndexed("1 trailing bytes after the last tensor")),
        ("metadata not strings", rawFile(header: #"{"__metadata__":{"a":1}}"#, data: []),
         .invalidHeader("__metadata__ value for 'a' is not a string")),
        ("entry without offsets", rawFile(header: #"{"x":{"dtype":"U8","shape":[1]}}"#, data: [0]),
         .invalidByteRange(tensor: "x", reason: "expected [begin, end] integers")),
    ]

    @Test("corrupt headers, dtypes, shapes and byte ranges are rejected with the specific error")
    func corruptHeaders() {
        for (what, bytes, expected) in Self.corrupt {
            do {
                _ = try Safetensors.decode(bytes)
                Issue.record("\(what): accepted")
            } catch let e as SafetensorsError {
                #expect(e == expected, "\(what): \(e)")
                #expect(!e.description.isEmpty)
            } catch { Issue.record("\(what): untyped error \(error)") }
        }
    }

    @Test("a missing file is a typed error")
    func missingFile() {
        #expect(throws: SafetensorsError.self) { try Safetensors.read("/nonexistent/ckpt.safetensors") }
    }

    @Test("Python's safetensors reads what Octoplane writes",
          .enabled(if: Prerequisite.met(pythonWithSafetensors != nil), "no python with the safetensors package"))
    func pythonReadsOurs() throws {
        let python = try #require(pythonWithSafetensors, "no python with the safetensors package")
        let tmp = try TemporaryDirectory("safetensors"); defer { tmp.remove() }
        let path = tmp.path + "/py.safetensors"
        try Safetensors.write(["w": Tensor((0..<6).map { Float($0) / 4 }, shape: [2, 3]), "s": Tensor(scalar: 7)],
                              metadata: ["k": "v"], to: path)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", """
        import sys, numpy as np
        from safetensors.numpy import load_file
        from safetensors import safe_open
        d = load_file(sys.argv[1])
        assert d['w'].dtype == np.float32 and d['w'].shape == (2, 3), d['w']
        assert np.array_equal(d['w'], np.arange(6, dtype=np.float32).reshape(2, 3) / 4)
        assert d['s'].shape == () and d['s'] == 7
        with safe_open(sys.argv[1], 'np') as f: assert f.metadata() == {'k': 'v'}
        """, path]
        try p.run(); p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }

    @Test(".npy export and import round-trip a tensor; non-float arrays are refused")
    func npy() throws {
        let t = Tensor((0..<24).map { Float($0) * 0.5 }, shape: [2, 3, 4])
        let tmp = try TemporaryDirectory("safetensors"); defer { tmp.remove() }
        let path = tmp.path + "/t.npy"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try t.save(npy: path)
        let r = try Tensor.load(npy: path)
        #expect(r.shape == [2, 3, 4] && r.scalars == t.scalars)
        #expect(throws: ArrayIOError.self) { try Tensor(npy: NpyArray(int32s: [1, 2])) }
        #expect(try Tensor(npy: NpyArray(doubles: [0.25, 2])).scalars == [0.25, 2])
    }
}
