import ArgumentParser
import Foundation
import Pipeline

/// `octoplane eval PRED GT [--json] [--points N] [--seed S] [--iou-points N]`.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Reconstruction metrics (ONet/ConvONet): Chamfer-L1/L2, normal consistency, F-score, IoU, Hausdorff.",
        discussion: """
        PRED: a mesh, or an (N, 3) .npy point cloud. GT: a mesh, an ONet pointcloud.npz or points.npz, \
        an ONet model folder holding them, or an (N, 3) .npy cloud. Both must be in the same frame.
        """)

    @Argument(help: "Predicted mesh (any format assimp reads) or (N, 3) .npy cloud.")
    var prediction: String
    @Argument(help: "Reference: mesh, pointcloud.npz, points.npz, ONet model folder, or .npy cloud.")
    var reference: String
    @Option(help: "Surface points sampled on each mesh.")
    var points = 100_000
    @Option(help: "Uniform points for mesh-vs-mesh IoU.")
    var iouPoints = 100_000
    @Option(help: "F-score thresholds, comma-separated, absolute (default: 0.5%, 1%, 2% of a unit cube side; double them for a [-1, 1] cube).")
    var thresholds = "0.005,0.01,0.02"
    @Option(help: "Random seed (same seed, same numbers).")
    var seed: UInt64 = 0
    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        if points < 1 || iouPoints < 1 { throw ValidationError("--points and --iou-points must be ≥ 1") }
        if parsedThresholds == nil { throw ValidationError("--thresholds must be positive numbers separated by commas") }
    }

    func run() throws {
        var o = EvalOptions()
        o.points = points; o.iouPoints = iouPoints; o.seed = seed; o.thresholds = parsedThresholds!
        try EvalJob(prediction: prediction, reference: reference, options: o).run().emit(json: json)
    }

    private var parsedThresholds: [Float]? {
        let v = thresholds.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard !v.isEmpty, v.allSatisfy({ $0 != nil && $0! > 0 && $0!.isFinite }) else { return nil }
        return v.map { $0! }
    }
}
