import ArrayIO
import Foundation
import Geometry
import Metrics

/// Metric errors on data read from `path`, re-raised as `PipelineError.invalidInput` naming the file.
@discardableResult
public func wrapMetrics<T>(_ path: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as MetricsError { throw PipelineError.invalidInput(path: path, reason: e.description) }
}

/// An (N, 3) float `.npy` as N points; any other shape is `PipelineError.invalidInput`.
public func readCloudNpy(_ path: String) throws -> [Vec3] {
    let a = try Npy.read(path)
    guard a.rank == 2, a.shape[1] == 3 else {
        throw PipelineError.invalidInput(path: path, reason: "array of shape \(a.shape), expected an (N, 3) point cloud")
    }
    let f = try a.floats()
    return (0..<a.shape[0]).map { Vec3(f[3 * $0], f[3 * $0 + 1], f[3 * $0 + 2]) }
}

/// A plain-text table: a header row, a rule, left-aligned columns (the reports' `text`).
public func textTable(_ header: [String], _ rows: [[String]]) -> String {
    let all = [header] + rows
    let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
    func line(_ r: [String]) -> String {
        r.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
            .joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }
    return ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + rows.map(line))
        .joined(separator: "\n")
}
