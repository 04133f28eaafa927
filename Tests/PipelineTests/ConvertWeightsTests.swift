import Foundation
import Support
import TensorCore
import Testing
import TestSupport
@testable import Pipeline

@Suite("octoplane weights")
struct ConvertWeightsTests {
    @Test("a model rewritten as F16 keeps its names, shapes and metadata in half the bytes, within half-precision rounding; bad input is a typed error")
    func halfAModel() throws {
        let tmp = try TemporaryDirectory("weights"); defer { tmp.remove() }
        var rng = SeededRandom(seed: 2)
        let tensors = ["a.weight": Tensor.randn([128, 64], std: 0.1, rng: &rng), "a.bias": Tensor.randn([64], rng: &rng)]
        try Safetensors.write(tensors, metadata: ["format": "test", "step": "3"], to: tmp.path + "/in.safetensors")
        let r = try ConvertWeightsJob(input: tmp.path + "/in.safetensors", output: tmp.path + "/out.safetensors").run()
        #expect(r.tensors == 2 && r.dtype == "F16" && r.bytesAfter * 2 < r.bytesBefore + 1024)
        #expect(r.maxRelativeError > 0 && r.maxRelativeError <= 4.9e-4)
        let out = try Safetensors.read(tmp.path + "/out.safetensors")
        #expect(out.metadata == ["format": "test", "step": "3"] && out.names == ["a.bias", "a.weight"])
        for (k, t) in tensors { #expect(try out.tensor(k).shape == t.shape) }
        var back = ConvertWeightsJob(input: tmp.path + "/out.safetensors", output: tmp.path + "/back.safetensors")
        back.dtype = .f32
        #expect(try back.run().maxRelativeError == 0)   // F16 → F32 is exact
        #expect(throws: SafetensorsError.self) { try ConvertWeightsJob(input: tmp.path + "/missing.safetensors", output: tmp.path + "/x").run() }
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/x"))
    }
}
