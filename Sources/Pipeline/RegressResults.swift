import Foundation
import Support

/// What `octoplane regress run` writes and `regress bless` turns into a baseline: one item per
/// shape × method with every metric of the suite, and what makes it reproducible (the suite's
/// settings, the seeds, the Octoplane version, the thread count).
///
/// JSON (`RegressResults.write` / `read`), format `octoplane-regress-results` (a baseline:
/// `octoplane-regress-baseline`), version 1. Non-finite numbers are written as the strings
/// "nan", "inf", "-inf" (`JSONOutput`) and read back as such.
public struct RegressResults: Codable, Sendable, Equatable {
    public static let resultsFormat = "octoplane-regress-results"
    public static let baselineFormat = "octoplane-regress-baseline"
    public static let supportedVersion = 1

    public var format: String = RegressResults.resultsFormat
    public var version: Int = RegressResults.supportedVersion
    /// The suite as it was read (methods with their parameters, metrics, protocol, tolerances).
    public var suite: RegressSuite
    /// The suite file the run read (as given on the command line).
    public var suitePath: String
    public var environment: Environment
    /// `i/n` when the run covered one shard of the suite's shapes; "0/1" for all.
    public var shard: String
    /// Every shape of the run (of its shard), in suite order.
    public var shapes: [RegressShape]
    /// ShapeNet folders the walker skipped (no mesh), reported and counted.
    public var skipped: [String]
    /// Shape-major, methods in suite order.
    public var items: [Item]
    /// When `bless` made this a baseline (ISO 8601), else nil.
    public var blessed: String?

    public struct Environment: Codable, Sendable, Equatable {
        public var octoplane: String
        public var threads: Int
        public var platform: String
        public var started: String
        public var seconds: Double
    }

    /// One shape reconstructed by one method and scored.
    public struct Item: Codable, Sendable, Equatable {
        public var shape: String
        public var method: String
        /// The method's settings when this item was made (`sdf-mc 65³`).
        public var methodLabel: String
        /// Suite metric name → value (NaN when it could not be measured).
        public var metrics: [String: Double]
        public var faces: Int
        public var watertight: Bool
        public var nonManifoldEdges: Int
        public var seconds: Double
        /// Seeds of the reference sample, the prediction sample and the IoU points.
        public var seeds: [UInt64]
        /// The reconstructed mesh, relative to the results file's folder (nil when empty, failed,
        /// or in a baseline).
        public var mesh: String?
        /// Why the item failed (a reconstruction or loading error), else nil. A failed item is a
        /// failure to `compare`.
        public var error: String?
        /// What identifies the computation (suite format, protocol, method settings, shape
        /// source): a stored item is reused on resume only when this matches.
        public var fingerprint: String

        public var key: String { "\(shape)\u{1F}\(method)" }
    }

    public var isBaseline: Bool { format == RegressResults.baselineFormat }

    /// Reads a results or baseline file. Throws `RegressError.unreadable`/`invalidFile` naming the
    /// file and the field (wrong format, unsupported version, bad JSON, a missing field).
    public static func read(_ path: String) throws -> RegressResults {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RegressError.unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "not a readable file" : "no such file")
        }
        if let head = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            let f = head["format"] as? String
            guard f == resultsFormat || f == baselineFormat else {
                throw RegressError.invalidFile(path: path, field: "format", reason: "must be \"\(resultsFormat)\" or \"\(baselineFormat)\", got \(f.map { "\"\($0)\"" } ?? "nothing")")
            }
            guard (head["version"] as? Int) == supportedVersion else {
                throw RegressError.invalidFile(path: path, field: "version", reason: "results format version \(head["version"].map { "\($0)" } ?? "missing") is not supported (this Octoplane reads version \(supportedVersion))")
            }
        }
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do { return try d.decode(RegressResults.self, from: data) } catch let e as DecodingError {
            throw RegressError.invalidFile(path: path, field: e.fieldPath, reason: e.reason)
        } catch {
            throw RegressError.invalidFile(path: path, field: "", reason: "not valid JSON (\(error.localizedDescription))")
        }
    }

    /// Writes atomically (`AtomicFile`), pretty-printed with sorted keys.
    public func write(to path: String) throws {
        try AtomicFile.write(try JSONOutput.data(self), to: path)
    }
}

extension DecodingError {
    /// `items[3].metrics` for the coding path of the error.
    var fieldPath: String {
        let ctx: Context
        switch self {
        case let .typeMismatch(_, c), let .valueNotFound(_, c), let .dataCorrupted(c): ctx = c
        case let .keyNotFound(k, c): return (c.codingPath + [k]).pathString
        @unknown default: return ""
        }
        return ctx.codingPath.pathString
    }
    var reason: String {
        switch self {
        case .keyNotFound: return "missing"
        case let .typeMismatch(t, _): return "must be \(t)"
        case let .valueNotFound(t, _): return "must be \(t), got null"
        case let .dataCorrupted(c): return c.underlyingError.map { "not valid JSON (\($0.localizedDescription))" } ?? c.debugDescription
        @unknown default: return "cannot decode"
        }
    }
}

extension Array where Element == CodingKey {
    var pathString: String {
        var s = ""
        for k in self {
            if let i = k.intValue { s += "[\(i)]" } else { s += s.isEmpty ? k.stringValue : ".\(k.stringValue)" }
        }
        return s
    }
}
