import ArrayIO
import Foundation
import Testing
@testable import TensorCore
@testable import Triplanes

/// The fixture was made by `python Scripts/triplane_torch.py make-fixture Tests/TriplanesTests/Fixtures`
/// (PyTorch 2.13 CPU): a decoder, planes and points created by PyTorch's own `nn.Module` and
/// `grid_sample`, and PyTorch's outputs for them. Octoplane must read PyTorch's files and
/// reproduce its numbers, so a researcher can move between the two with the same files.
@Suite("PyTorch interop of triplane decoders")
struct PyTorchInteropTests {
    static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures").path

    @Test("Octoplane reproduces PyTorch's outputs for its decoder, planes and points to 1e-4", arguments: ["sum", "concat", "product"])
    func reproducesPyTorch(aggregation: String) throws {
        let dir = Self.fixtures
        let (decoder, _) = try TriplaneDecoder.load(from: "\(dir)/decoder-\(aggregation).safetensors")
        #expect(decoder.config.aggregation.rawValue == aggregation)
        let planes = try TriplaneFile.read("\(dir)/planes-\(aggregation).npy", expected: decoder.config.planeShape)
        let points = try Npy.read("\(dir)/points-\(aggregation).npy").floats()
        let expected = try Npy.read("\(dir)/outputs-\(aggregation).npy").floats()
        let ours = decoder.evaluate(planes, points: points)
        #expect(ours.count == expected.count && ours.count == 500)
        let worst = zip(ours, expected).map { Swift.abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 1e-4, "largest difference \(worst)")
        // The points include corners, borders and points outside [-1, 1]³ (zero padding).
        #expect(Set(expected).count > 400)
    }
}
