import Foundation
import MeshIO
import Support
import Triplanes

/// `octoplane triplane eval ROOT|MESH… [--decoder D]`: the quality table of a decoder — every
/// model fitted (phase 2, the same recipe as `convert --to triplane`), then scored: IoU on 100k
/// uniform points of [-1, 1]³, and the decoded mesh (dense marching cubes at `metricResolution`)
/// against its source by the ONet protocol (Chamfer-L1, F@1%, NC in ONet's unit frame). Reports
/// every model, each category's median / 10th percentile, and the whole set's.
public struct TriplaneEvalJob: Job {
    /// A ShapeNet v1/v2 root, or mesh files.
    public var inputs: [String]
    public var categories: [String] = []
    /// At most this many models per category (walker order); nil = all.
    public var limit: Int? = nil
    public var decoder: String? = nil
    public var settings = TriplaneFitSettings()
    public var samplePoints = 200_000
    public var metricResolution = 129
    public var seed: UInt64 = 0
    public var quiet = false

    public init(inputs: [String]) { self.inputs = inputs }

    public struct Row: Codable, Sendable {
        public var model: String
        public var category: String
        public var quality: TriplaneQuality
        public var fitSeconds: Double
    }

    public struct Summary: Codable, Sendable {
        public var group: String
        public var models: Int
        public var iouMedian: Double
        public var iouP10: Double
        /// Share of models with IoU ≥ 0.90.
        public var iouAtLeast090: Double
        public var chamferL1Median: Double
        public var fScore1Median: Double
        public var fitSecondsMedian: Double
    }

    public struct Report: JobReport {
        public var decoder: String
        public var config: TriplaneConfig
        public var fit: TriplaneFitSettings
        public var rows: [Row]
        public var summaries: [Summary]
        public var text: String {
            var lines = ["decoder \(decoder) — planes \(config.planeShape), fit \(fit.steps) steps × \(fit.pointsPerStep) points, Adam \(fit.learningRate) (\(fit.schedule.rawValue))",
                         "group        models  IoU med  IoU p10  IoU≥0.9  CD-L1 med  F@1% med  fit s med"]
            for s in summaries {
                lines.append(String(format: "%-12@ %6d  %7.4f  %7.4f  %6.0f%%  %9.5f  %8.4f  %9.2f", s.group, s.models, s.iouMedian,
                                    s.iouP10, 100 * s.iouAtLeast090, s.chamferL1Median, s.fScore1Median, s.fitSecondsMedian))
            }
            return lines.joined(separator: "\n")
        }
    }

    static func quantile(_ xs: [Double], _ q: Double) -> Double {
        let s = xs.filter { !$0.isNaN }.sorted()
        guard !s.isEmpty else { return .nan }
        let x = q * Double(s.count - 1), i = Int(x), f = x - Double(i)
        return i + 1 < s.count ? s[i] * (1 - f) + s[i + 1] * f : s[i]
    }

    public func run() throws -> Report {
        guard !inputs.isEmpty else { throw PipelineError.invalidOption("give a ShapeNet root or mesh files") }
        if let l = limit, l < 1 { throw PipelineError.invalidOption("--limit must be ≥ 1") }
        let fitter = MeshTriplaneFit(settings: settings, samplePoints: samplePoints, metricResolution: metricResolution)
        try fitter.validate()
        let decoderPath = try ShippedModels.resolve(decoder, default: ShippedModels.triplaneDecoder)
        let dec = try TriplaneDecoder.load(from: decoderPath).decoder
        var items: [(key: String, category: String, path: String)] = []
        var isDir: ObjCBool = false
        if inputs.count == 1, FileManager.default.fileExists(atPath: inputs[0], isDirectory: &isDir), isDir.boolValue {
            var perCategory: [String: Int] = [:]
            for it in try ShapeNetSource(root: inputs[0], categories: categories).items(shard: (0, 1)).items {
                let cat = String(it.key.split(separator: "/").first ?? "")
                perCategory[cat, default: 0] += 1
                if let l = limit, perCategory[cat]! > l { continue }
                items.append((it.key, cat, it.meshPath))
            }
        } else {
            items = inputs.map { ($0, "files", $0) }
        }
        let progress = ProgressReporter("triplane eval", total: items.count, quiet: quiet)
        var rows: [Row] = []
        for it in items {
            let mesh = try MeshLoader.load(path: it.path).mesh
            let out = try fitter.run(mesh: mesh, decoder: dec, seed: seed ^ stableHash(it.key))
            rows.append(Row(model: it.key, category: it.category, quality: out.quality!, fitSeconds: out.fitSeconds))
            progress.advance()
        }
        progress.finish()
        func summary(_ name: String, _ rs: [Row]) -> Summary {
            let iou = rs.map(\.quality.iou)
            return Summary(group: name, models: rs.count, iouMedian: Self.quantile(iou, 0.5), iouP10: Self.quantile(iou, 0.1),
                           iouAtLeast090: Double(iou.filter { $0 >= 0.9 }.count) / Double(max(1, iou.count)),
                           chamferL1Median: Self.quantile(rs.map { $0.quality.chamferL1 ?? .nan }, 0.5),
                           fScore1Median: Self.quantile(rs.map { $0.quality.fScore1 ?? .nan }, 0.5),
                           fitSecondsMedian: Self.quantile(rs.map(\.fitSeconds), 0.5))
        }
        var groups: [String] = []
        for r in rows where !groups.contains(r.category) { groups.append(r.category) }
        var sums = groups.map { g in summary(g, rows.filter { $0.category == g }) }
        if groups.count > 1 { sums.append(summary("all", rows)) }
        return Report(decoder: decoderPath, config: dec.config, fit: settings, rows: rows, summaries: sums)
    }
}
