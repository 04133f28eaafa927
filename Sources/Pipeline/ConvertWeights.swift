import Foundation
import Support
import TensorCore

/// `octoplane weights IN.safetensors -o OUT.safetensors [--dtype f16|f32]`: the same tensors and
/// metadata stored as another float dtype — F16 halves a shipped model (each value rounded to the
/// nearest half; every reader here converts back to F32 on load). Reports the tensors, both sizes
/// and the largest relative rounding error among values of magnitude ≥ 1e-4 (smaller ones lose
/// relative precision in F16's subnormal range by design). Writes atomically; IN is never changed.
public struct ConvertWeightsJob: Job {
    public var input: String
    public var output: String
    public var dtype: SafetensorsDType = .f16

    public init(input: String, output: String) { self.input = input; self.output = output }

    public struct Report: JobReport {
        public var input: String
        public var output: String
        public var dtype: String
        public var tensors: Int
        public var bytesBefore: Int
        public var bytesAfter: Int
        public var maxRelativeError: Double
        public var text: String {
            String(format: "%@ → %@ (%@): %d tensors, %d → %d bytes, largest relative rounding error %.2e",
                   input, output, dtype, tensors, bytesBefore, bytesAfter, maxRelativeError)
        }
    }

    public func run() throws -> Report {
        guard dtype == .f16 || dtype == .f32 else { throw PipelineError.invalidOption("--dtype must be f16 or f32") }
        let file = try Safetensors.read(input)
        var tensors: [String: Tensor] = [:]
        for name in file.names { tensors[name] = try file.tensor(name) }
        let data = try Safetensors.encode(tensors, metadata: file.metadata, dtype: dtype)
        let back = try Safetensors.decode(data)
        var worst = 0.0
        for (name, t) in tensors {
            for (a, b) in zip(t.scalars, try back.tensor(name).scalars) where Swift.abs(a) >= 1e-4 {
                worst = Swift.max(worst, Double(Swift.abs(a - b) / Swift.abs(a)))
            }
        }
        try AtomicFile.write(data, to: output)
        let before = ((try? FileManager.default.attributesOfItem(atPath: input))?[.size] as? NSNumber)?.intValue ?? 0
        return Report(input: input, output: output, dtype: dtype.rawValue, tensors: tensors.count, bytesBefore: before,
                      bytesAfter: data.count, maxRelativeError: worst)
    }
}
