import Foundation

/// `octoplane regress bless RESULTS.json -o BASELINE.json`: accepts a run as the new baseline, on
/// purpose. Refuses results holding a failed item or a non-finite metric (a baseline must be
/// comparable) with `RegressError.nonFinite` / `invalidFile`. The baseline keeps everything that
/// makes the run reproducible (suite, protocol, seeds, versions) and drops what is local to the
/// machine that made it (mesh paths, the suite file's folder, the resume fingerprints). Written
/// atomically.
public struct RegressBlessJob: Job {
    public var results: String
    public var output: String
    public init(results: String, output: String) { self.results = results; self.output = output }

    public struct Report: JobReport {
        public var output: String
        public var items: Int
        public var shapes: Int
        public var text: String { "\(output): baseline of \(shapes) shapes, \(items) shape × method items" }
    }

    public func run() throws -> Report {
        var r = try RegressResults.read(results)
        for it in r.items {
            if let e = it.error {
                throw RegressError.invalidFile(path: results, field: "items", reason: "\(it.shape) × \(it.method) failed (\(e)); a baseline cannot hold a failed item")
            }
            for (k, v) in it.metrics.sorted(by: { $0.key < $1.key }) where !v.isFinite {
                throw RegressError.nonFinite(path: results, shape: it.shape, method: it.method, metric: k)
            }
        }
        r.format = RegressResults.baselineFormat
        r.blessed = ISO8601DateFormatter().string(from: Date())
        r.suitePath = (r.suitePath as NSString).lastPathComponent
        r.shapes = r.shapes.map { RegressShape(id: $0.id, source: Self.portable($0.source)) }
        for i in r.items.indices { r.items[i].mesh = nil; r.items[i].fingerprint = "" }
        do { try r.write(to: output) } catch { throw PipelineError.unwritable(path: output, reason: "\(error)") }
        return Report(output: output, items: r.items.count, shapes: r.shapes.count)
    }

    /// A shape source without the machine's folders: `file:<name>`.
    static func portable(_ source: String) -> String {
        source.hasPrefix("file:") ? "file:" + (source as NSString).lastPathComponent : source
    }
}
