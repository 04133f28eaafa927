import Dataset
import Foundation
import Geometry
import MeshIO

/// The version of Octoplane recorded in regression results (and printed by `octoplane --version`).
public enum OctoplaneVersion {
    public static let string = "0.1.0"
}

/// Why a regression command refused its input. Every case names the file and, where it can, the
/// field at fault (`methods[1].resolution`, `protocol.points`); `description` is the one line the
/// CLI prints before exiting with status 2.
public enum RegressError: Error, Equatable, CustomStringConvertible {
    /// A file that does not exist or cannot be read.
    case unreadable(path: String, reason: String)
    /// A suite, results or baseline file that is not what it should be (bad JSON, a missing or
    /// mistyped field, an unknown key).
    case invalidFile(path: String, field: String, reason: String)
    /// A suite's method that Octoplane does not know.
    case unknownMethod(path: String, field: String, name: String, known: [String])
    /// A metric name (in `metrics` or `tolerances`) that Octoplane does not know.
    case unknownMetric(path: String, field: String, name: String, known: [String])
    /// A shape file or folder named by the suite that does not exist.
    case missingShape(suite: String, field: String, path: String)
    /// A baseline made by another suite or protocol: `field` is the first field that differs.
    case incompatibleBaseline(field: String, results: String, baseline: String)
    /// A baseline or results value that cannot be compared (NaN in a baseline, NaN blessed).
    case nonFinite(path: String, shape: String, method: String, metric: String)

    public var description: String {
        switch self {
        case let .unreadable(p, r): return "\(p): cannot read: \(r)"
        case let .invalidFile(p, f, r): return "\(p): \(f.isEmpty ? "" : "\(f): ")\(r)"
        case let .unknownMethod(p, f, n, k): return "\(p): \(f): unknown method '\(n)' (known: \(k.joined(separator: ", ")))"
        case let .unknownMetric(p, f, n, k): return "\(p): \(f): unknown metric '\(n)' (known: \(k.joined(separator: ", ")))"
        case let .missingShape(s, f, p): return "\(s): \(f): no such file or folder '\(p)'"
        case let .incompatibleBaseline(f, r, b):
            return "the baseline was made with another suite or protocol: \(f) differs (results: \(r), baseline: \(b)); re-bless on purpose with `octoplane regress bless`"
        case let .nonFinite(p, s, m, x): return "\(p): \(x) of \(s) × \(m) is not a finite number"
        }
    }
}

/// A reconstruction metric a suite can gate on, and which way is better.
public enum RegressMetric: String, Codable, Sendable, CaseIterable, Comparable {
    case chamferL1 = "chamfer-l1", chamferL2 = "chamfer-l2", normalConsistency = "normal-consistency",
         fScore = "f-score", iou, hausdorff

    /// True for distances (a rise is worse), false for scores (a fall is worse).
    public var lowerIsBetter: Bool { self == .chamferL1 || self == .chamferL2 || self == .hausdorff }

    /// The value of this metric in `s` (F-score at the protocol's first τ); NaN when absent
    /// (normal consistency of an empty mesh).
    public func value(in s: ReconstructionScores) -> Double {
        switch self {
        case .chamferL1: return s.chamferL1
        case .chamferL2: return s.chamferL2
        case .normalConsistency: return s.normalConsistency ?? .nan
        case .fScore: return s.fScores.first ?? .nan
        case .iou: return s.iou
        case .hausdorff: return s.hausdorff
        }
    }

    /// "CD", "NC", "F", "IoU", "CD-L2", "HD" (sheet labels).
    public var shortName: String {
        switch self {
        case .chamferL1: return "CD"
        case .chamferL2: return "CD-L2"
        case .normalConsistency: return "NC"
        case .fScore: return "F"
        case .iou: return "IoU"
        case .hausdorff: return "HD"
        }
    }

    public static func < (a: RegressMetric, b: RegressMetric) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// How far a metric may move the worse way before it is a regression, per shape:
/// allowed = `absolute` + `relative` × |baseline| (NumPy's `isclose` form). A change of exactly the
/// allowed amount passes. `drift`, when set, gates the suite-wide paired test: the average change
/// the worse way, relative to the mean baseline, whose bootstrap 95% interval lies wholly above
/// `drift` fails the suite (see `RegressDrift`).
public struct RegressTolerance: Codable, Sendable, Equatable {
    public var absolute: Double = 0
    public var relative: Double = 0
    public var drift: Double? = nil
    public init(absolute: Double = 0, relative: Double = 0, drift: Double? = nil) {
        self.absolute = absolute; self.relative = relative; self.drift = drift
    }
    /// The largest change the worse way that still passes, for a baseline value `b`.
    public func allowed(baseline b: Double) -> Double { absolute + relative * abs(b) }
}

/// A regression suite: which shapes, which reconstruction methods, which metrics under which
/// protocol, and how much each metric may move. Read from JSON (`RegressSuite.load`), format
/// `octoplane-regress-suite` version 1 (README, *Regression tests*):
///
///     {"format": "octoplane-regress-suite", "version": 1, "name": "octoplane-ci",
///      "shapes": [{"files": ["../../Assets/meshes/torus.ply"]},
///                 {"folder": "meshes"},
///                 {"shapenet": "/data/ShapeNetCore.v2", "categories": ["chair"], "perCategory": 10},
///                 {"synth": ["chair", "mug"], "perCategory": 1, "seed": 2026}],
///      "methods": [{"method": "sdf-mc", "resolution": 65}, {"method": "udf-dual", "depth": 6},
///                  {"method": "octree", "depth": 6},
///                  {"method": "external", "id": "onet", "folder": "onet-meshes", "normalized": true}],
///      "metrics": ["chamfer-l1", "normal-consistency", "f-score", "iou"],
///      "protocol": {"points": 20000, "tau": 0.01, "iouPoints": 20000, "seed": 0},
///      "tolerances": {"chamfer-l1": {"absolute": 1e-4, "relative": 0.02, "drift": 0.005}}}
///
/// Paths are relative to the suite file's folder. Unknown keys are errors (a typo must not
/// silently drop a setting); a metric without a tolerance must reproduce exactly.
public struct RegressSuite: Codable, Sendable, Equatable {
    public static let formatName = "octoplane-regress-suite"
    public static let supportedVersion = 1

    public var format = RegressSuite.formatName
    /// Version of the suite format (1).
    public var version = RegressSuite.supportedVersion
    public var name: String
    public var shapes: [ShapeSource]
    public var methods: [MethodSpec]
    public var metrics: [RegressMetric]
    public var metricProtocol: MetricProtocol
    public var tolerances: [String: RegressTolerance]

    enum CodingKeys: String, CodingKey {
        case format, version, name, shapes, methods, metrics, metricProtocol = "protocol", tolerances
    }

    /// Where shapes come from. Ids: a file's name without extension; a folder file's path inside
    /// the folder without extension; a ShapeNet model's `<synset>/<model id>`; a procedural
    /// shape's `<category>-<index>`.
    public enum ShapeSource: Codable, Sendable, Equatable {
        case files([String])
        case folder(String)
        case shapenet(root: String, categories: [String], perCategory: Int?)
        case synth(categories: [String], perCategory: Int, seed: UInt64)
    }

    /// One reconstruction method of the suite: a stable `id` (what results and baselines are
    /// keyed by; defaults to the method's kind, so changing a resolution compares against the
    /// same baseline entries), the method's `kind` and its `parameters` as the suite spells them
    /// (read by `ReconstructionMethod.init(kind:parameters:)`).
    public struct MethodSpec: Codable, Sendable, Equatable {
        public var id: String
        public var kind: String
        public var parameters: [String: MethodParameter]

        public init(id: String? = nil, _ m: ReconstructionMethod) {
            kind = m.kind; self.id = id ?? m.kind; parameters = m.parameters
        }

        /// The method these settings describe, paths resolved against `base` (the suite's folder).
        public func method(base: String = "") throws -> ReconstructionMethod {
            try ReconstructionMethod(kind: kind, parameters: parameters).resolvingPaths(against: base)
        }

        /// "sdf-mc 65³", for reports.
        public var label: String {
            let m = try? ReconstructionMethod(kind: kind, parameters: parameters)
            return kind + (m.map { " " + $0.parameterLabel } ?? "")
        }
    }

    /// Method names a suite may use.
    public static var methodKinds: [String] { ReconstructionMethod.kinds }

    /// The tolerance of `metric` (exact when the suite gives none).
    public func tolerance(_ metric: RegressMetric) -> RegressTolerance { tolerances[metric.rawValue] ?? RegressTolerance() }

    /// `path` against `base` unless absolute.
    static func resolve(_ path: String, base: String) -> String {
        path.hasPrefix("/") || base.isEmpty ? path : (base as NSString).appendingPathComponent(path)
    }
}

// MARK: - Reading a suite file

extension RegressSuite {
    /// Reads and checks a suite file: the JSON, every field's type and range, unknown keys,
    /// method and metric names, tolerances of measured metrics only. Files and folders named by
    /// the suite are checked when the shapes are listed (`RegressShapes.list`).
    public static func load(_ path: String) throws -> RegressSuite {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RegressError.unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "not a readable file" : "no such file")
        }
        let any: Any
        do { any = try JSONSerialization.jsonObject(with: data) } catch {
            throw RegressError.invalidFile(path: path, field: "", reason: "not valid JSON (\(error.localizedDescription))")
        }
        let r = JSONFields(path: path)
        let top = try r.object(any, "")
        try r.only(top, ["format", "version", "name", "shapes", "methods", "metrics", "protocol", "tolerances"], "")
        guard try r.string(top, "format") == formatName else {
            throw RegressError.invalidFile(path: path, field: "format", reason: "must be \"\(formatName)\"")
        }
        let version = try r.int(top, "version")
        guard version == supportedVersion else {
            throw RegressError.invalidFile(path: path, field: "version", reason: "suite format version \(version) is not supported (this Octoplane reads version \(supportedVersion))")
        }
        let name = try r.string(top, "name")

        let shapeList = try r.nonEmptyArray(top["shapes"], "shapes")
        var shapes: [ShapeSource] = []
        for (i, s) in shapeList.enumerated() {
            let f = "shapes[\(i)]"
            let o = try r.object(s, f)
            if o["files"] != nil {
                try r.only(o, ["files"], f)
                let files = try r.strings(o["files"], f + ".files")
                shapes.append(.files(files))
            } else if o["folder"] != nil {
                try r.only(o, ["folder"], f)
                shapes.append(.folder(try r.string(o, "folder", in: f)))
            } else if o["shapenet"] != nil {
                try r.only(o, ["shapenet", "categories", "perCategory"], f)
                let cats = try o["categories"].map { try r.strings($0, f + ".categories") } ?? []
                let per = try o["perCategory"].map { try r.positiveInt($0, f + ".perCategory") }
                shapes.append(.shapenet(root: try r.string(o, "shapenet", in: f), categories: cats, perCategory: per))
            } else if o["synth"] != nil {
                try r.only(o, ["synth", "perCategory", "seed"], f)
                let cats = try r.strings(o["synth"], f + ".synth")
                for (k, c) in cats.enumerated() where SynthCategory(name: c) == nil {
                    throw RegressError.invalidFile(path: path, field: "\(f).synth[\(k)]", reason: "unknown category '\(c)' (known: \(SynthCategory.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                let per = try o["perCategory"].map { try r.positiveInt($0, f + ".perCategory") } ?? 1
                let seed = try o["seed"].map { try r.nonNegativeInt($0, f + ".seed") } ?? 0
                shapes.append(.synth(categories: cats, perCategory: per, seed: UInt64(seed)))
            } else {
                throw RegressError.invalidFile(path: path, field: f, reason: "needs one of \"files\", \"folder\", \"shapenet\", \"synth\"")
            }
        }

        let methodList = try r.nonEmptyArray(top["methods"], "methods")
        var methods: [MethodSpec] = []
        for (i, m) in methodList.enumerated() {
            let f = "methods[\(i)]"
            let o = try r.object(m, f)
            let kind = try r.string(o, "method", in: f)
            var parameters: [String: MethodParameter] = [:]
            for (k, v) in o where k != "method" && k != "id" {
                if isJSONBool(v), let b = v as? Bool { parameters[k] = .bool(b) }
                else if let n = v as? NSNumber, let i = Int(exactly: n.doubleValue) { parameters[k] = .int(i) }
                else if let t = v as? String { parameters[k] = .string(t) }
                else { throw RegressError.invalidFile(path: path, field: "\(f).\(k)", reason: "must be an integer, true/false or a string") }
            }
            let method: ReconstructionMethod
            do { method = try ReconstructionMethod(kind: kind, parameters: parameters) } catch let e as ReconstructionMethod.SpecError {
                switch e {
                case let .unknownMethod(n): throw RegressError.unknownMethod(path: path, field: f + ".method", name: n, known: methodKinds)
                case let .unknownKey(k, allowed):
                    throw RegressError.invalidFile(path: path, field: "\(f).\(k)", reason: "unknown key (allowed here: \((["method", "id"] + allowed).joined(separator: ", ")))")
                case let .invalid(k, reason): throw RegressError.invalidFile(path: path, field: "\(f).\(k)", reason: reason)
                }
            }
            let spec = MethodSpec(id: try o["id"].map { try r.string($0, f + ".id") }, method)
            if let dup = methods.first(where: { $0.id == spec.id }) {
                throw RegressError.invalidFile(path: path, field: f + ".id", reason: "method id '\(spec.id)' is used twice (give one an \"id\"; the other is \(dup.label))")
            }
            methods.append(spec)
        }

        let metricNames = try r.strings(try r.nonEmptyArray(top["metrics"], "metrics"), "metrics")
        var metrics: [RegressMetric] = []
        for (i, n) in metricNames.enumerated() {
            guard let m = RegressMetric(rawValue: n) else {
                throw RegressError.unknownMetric(path: path, field: "metrics[\(i)]", name: n, known: RegressMetric.allCases.map(\.rawValue))
            }
            if !metrics.contains(m) { metrics.append(m) }
        }

        var p = MetricProtocol(points: 100_000, fScoreThresholds: [0.01], iouPoints: 100_000, seed: 0)
        if let po = top["protocol"] {
            let o = try r.object(po, "protocol")
            try r.only(o, ["points", "tau", "iouPoints", "seed"], "protocol")
            if let v = o["points"] { p.points = try r.positiveInt(v, "protocol.points") }
            if let v = o["iouPoints"] { p.iouPoints = try r.positiveInt(v, "protocol.iouPoints") }
            if let v = o["seed"] { p.seed = UInt64(try r.nonNegativeInt(v, "protocol.seed")) }
            if let v = o["tau"] {
                let t = try r.double(v, "protocol.tau")
                guard t > 0, t.isFinite else { throw RegressError.invalidFile(path: path, field: "protocol.tau", reason: "must be a positive number, got \(t)") }
                p.fScoreThresholds = [Float(t)]
            }
        }

        var tolerances: [String: RegressTolerance] = [:]
        if let to = top["tolerances"] {
            let o = try r.object(to, "tolerances")
            for (key, value) in o.sorted(by: { $0.key < $1.key }) {
                let f = "tolerances.\(key)"
                guard let m = RegressMetric(rawValue: key) else {
                    throw RegressError.unknownMetric(path: path, field: f, name: key, known: RegressMetric.allCases.map(\.rawValue))
                }
                guard metrics.contains(m) else {
                    throw RegressError.invalidFile(path: path, field: f, reason: "a tolerance for '\(key)', which \"metrics\" does not list")
                }
                let t = try r.object(value, f)
                try r.only(t, ["absolute", "relative", "drift"], f)
                var tol = RegressTolerance()
                for (k, slot) in [("absolute", \RegressTolerance.absolute), ("relative", \RegressTolerance.relative)] {
                    if let v = t[k] {
                        let x = try r.double(v, "\(f).\(k)")
                        guard x >= 0, x.isFinite else { throw RegressError.invalidFile(path: path, field: "\(f).\(k)", reason: "must be a number ≥ 0, got \(x)") }
                        tol[keyPath: slot] = x
                    }
                }
                if let v = t["drift"] {
                    let x = try r.double(v, "\(f).drift")
                    guard x >= 0, x.isFinite else { throw RegressError.invalidFile(path: path, field: "\(f).drift", reason: "must be a number ≥ 0, got \(x)") }
                    tol.drift = x
                }
                tolerances[key] = tol
            }
        }
        return RegressSuite(name: name, shapes: shapes, methods: methods, metrics: metrics, metricProtocol: p, tolerances: tolerances)
    }
}

/// JSON field readers that name the field at fault.
struct JSONFields {
    let path: String
    func fail(_ field: String, _ reason: String) -> RegressError { .invalidFile(path: path, field: field, reason: reason) }

    func object(_ v: Any?, _ field: String) throws -> [String: Any] {
        guard let o = v as? [String: Any] else { throw fail(field.isEmpty ? "top level" : field, v == nil ? "missing" : "must be an object") }
        return o
    }
    func array(_ v: Any?, _ field: String) throws -> [Any] {
        guard let a = v as? [Any] else { throw fail(field, v == nil ? "missing" : "must be an array") }
        return a
    }
    func nonEmptyArray(_ v: Any?, _ field: String) throws -> [Any] {
        let a = try array(v, field)
        guard !a.isEmpty else { throw fail(field, "must not be empty") }
        return a
    }
    /// An array of non-empty strings; an element at fault is named `field[i]`.
    func strings(_ v: Any?, _ field: String) throws -> [String] {
        try array(v, field).enumerated().map { try string($0.element, "\(field)[\($0.offset)]") }
    }
    func string(_ o: [String: Any], _ key: String, in parent: String = "") throws -> String {
        try string(o[key], parent.isEmpty ? key : "\(parent).\(key)")
    }
    func string(_ v: Any?, _ field: String) throws -> String {
        guard let s = v as? String, !s.isEmpty else { throw fail(field, v == nil ? "missing" : "must be a non-empty string") }
        return s
    }
    func int(_ o: [String: Any], _ key: String) throws -> Int {
        guard let n = o[key] as? NSNumber, !isJSONBool(n), let i = Int(exactly: n.doubleValue) else {
            throw fail(key, o[key] == nil ? "missing" : "must be an integer")
        }
        return i
    }
    func double(_ v: Any, _ field: String) throws -> Double {
        guard let n = v as? NSNumber, !isJSONBool(n) else { throw fail(field, "must be a number") }
        return n.doubleValue
    }
    func positiveInt(_ v: Any, _ field: String) throws -> Int {
        guard let n = v as? NSNumber, !isJSONBool(n), let i = Int(exactly: n.doubleValue), i >= 1 else {
            throw fail(field, "must be an integer ≥ 1")
        }
        return i
    }
    func nonNegativeInt(_ v: Any, _ field: String) throws -> Int {
        guard let n = v as? NSNumber, !isJSONBool(n), let i = Int(exactly: n.doubleValue), i >= 0 else {
            throw fail(field, "must be an integer ≥ 0")
        }
        return i
    }
    /// Throws for a key outside `allowed` (typos must not drop settings silently).
    func only(_ o: [String: Any], _ allowed: [String], _ field: String) throws {
        for k in o.keys.sorted() where !allowed.contains(k) {
            throw fail(field.isEmpty ? k : "\(field).\(k)", "unknown key (allowed here: \(allowed.joined(separator: ", ")))")
        }
    }
}

/// True when a value JSONSerialization read is a JSON boolean (Foundation bridges both booleans
/// and numbers to NSNumber; a boolean's type code is "c").
func isJSONBool(_ v: Any) -> Bool {
    guard let n = v as? NSNumber else { return v is Bool }
    return String(cString: n.objCType) == "c"
}
