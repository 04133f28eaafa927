import ArrayIO
import Foundation
import Geometry
import Metrics

/// Errors of `octoplane eval` / `eval-set` that are not already a file reader's or a metric's
/// typed error. Every case names the file or folder at fault.
public enum EvalError: Error, Equatable, CustomStringConvertible {
    /// A reference that is none of: mesh, `.npy` (N, 3) cloud, ONet `pointcloud.npz` / `points.npz`,
    /// or an ONet model folder holding either.
    case unrecognizedInput(path: String, reason: String)
    /// A metric rejected the data read from `path` (empty, NaN, …): `reason` is its message.
    case badData(path: String, reason: String)
    /// The two inputs have nothing to compare (e.g. a point-cloud prediction against `points.npz`,
    /// which only supports IoU and needs a mesh to test inside/outside).
    case nothingToCompare(prediction: String, reference: String, reason: String)

    public var description: String {
        switch self {
        case let .unrecognizedInput(p, r): return "'\(p)': \(r)"
        case let .badData(p, r): return "'\(p)': \(r)"
        case let .nothingToCompare(p, r, why): return "cannot compare '\(p)' with '\(r)': \(why)"
        }
    }
}

/// Metric errors on data read from `path`, re-raised naming the file.
@discardableResult
func wrapMetrics<T>(_ path: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as MetricsError { throw EvalError.badData(path: path, reason: e.description) }
}

/// An (N, 3) float `.npy` as N points.
func readCloudNpy(_ path: String) throws -> [Vec3] {
    let a = try Npy.read(path)
    guard a.rank == 2, a.shape[1] == 3 else {
        throw EvalError.unrecognizedInput(path: path, reason: "array of shape \(a.shape), expected an (N, 3) point cloud")
    }
    let f = try a.floats()
    return (0..<a.shape[0]).map { Vec3(f[3 * $0], f[3 * $0 + 1], f[3 * $0 + 2]) }
}

/// Pretty-printed JSON with sorted keys.
func jsonString<T: Encodable>(_ value: T) -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys]
    e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return String(decoding: try! e.encode(value), as: UTF8.self)
}

/// A plain-text table: a header row, a rule, left-aligned columns.
func table(_ header: [String], _ rows: [[String]]) -> String {
    let all = [header] + rows
    let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
    func line(_ r: [String]) -> String {
        r.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
            .joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }
    return ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + rows.map(line))
        .joined(separator: "\n")
}
