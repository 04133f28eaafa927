import Foundation
import Rendering
import TensorCore
import Triplanes

/// `octoplane render --planes PLANES.npy -o planes.png`: the three feature planes of a triplane
/// side by side, channels coloured by their first three principal components
/// (`FeaturePlaneImage`), each plane upscaled to about `size` pixels and labelled with its axes —
/// what the diffusion model learns, made visible.
public struct RenderPlanesJob: Job {
    public var input: String
    public var output: String
    /// Target pixels per plane side (planes are upscaled by an integer factor).
    public var size = 256

    public init(input: String, output: String) { self.input = input; self.output = output }

    public struct Report: JobReport {
        public var input: String
        public var output: String
        public var shape: [Int]
        public var width: Int
        public var height: Int
        public var text: String { "\(input) \(shape) → \(output) (\(width)×\(height))" }
    }

    public func run() throws -> Report {
        guard size >= 1 else { throw PipelineError.invalidOption("--size must be ≥ 1") }
        let planes = try TriplaneFile.read(input)
        let c = planes.shape[1], r = planes.shape[2]
        let images = FeaturePlaneImage.render(planes.scalars, planes: 3, channels: c, height: r, width: r, scale: max(1, size / r))
        let sheet = ContactSheet.compose(images: images, columns: 3, labels: ["xy plane", "yz plane", "xz plane"])
        do { try PNG.write(sheet, to: output) } catch { throw PipelineError.unwritable(path: output, reason: "\(error)") }
        return Report(input: input, output: output, shape: planes.shape, width: sheet.width, height: sheet.height)
    }
}
