import Foundation
import Support

/// The outcome of one shape × method in a comparison (one JUnit test case).
public struct RegressCase: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// Every metric within tolerance.
        case passed
        /// A metric moved the worse way by more than its tolerance.
        case regressed
        /// A metric is NaN or infinite, or the reconstruction failed (`error` in the results).
        case failed
        /// In the baseline, not in the results.
        case missing
        /// In the results, not in the baseline (reported; not compared).
        case new
    }
    public var shape: String
    public var method: String
    public var status: Status
    /// One line: the worst problem, or "within tolerance".
    public var message: String
    /// One line per metric: baseline → new, change, allowed.
    public var details: [String]
    public var seconds: Double
}

/// One metric of one shape × method that moved by more than its tolerance (either way).
public struct RegressChange: Codable, Sendable, Equatable {
    public var shape: String
    public var method: String
    public var metric: RegressMetric
    public var baseline: Double
    public var new: Double
    /// Change the worse way (positive = worse): new − baseline for distances, baseline − new for scores.
    public var worse: Double
    /// The largest `worse` that passes.
    public var allowed: Double
    /// `worse` / |baseline| (∞ for a zero baseline).
    public var relative: Double { baseline == 0 ? (worse == 0 ? 0 : .infinity * worse.sign.asMultiplier) : worse / abs(baseline) }
}

extension FloatingPointSign { var asMultiplier: Double { self == .minus ? -1 : 1 } }

/// The suite-wide paired test of one method × metric: the mean change the worse way over the
/// shapes both runs measured, relative to the mean |baseline| (so 0.005 = "0.5% worse on
/// average"), with a percentile bootstrap 95% interval (Efron & Tibshirani 1993, ch. 13;
/// 2000 resamples of the shapes, seeded: the same inputs give the same interval).
///
/// Gate: when the suite sets a `drift` tolerance for the metric and at least `minimumShapes`
/// pairs exist, the suite fails if the whole interval lies above `drift` — we are 97.5% sure the
/// average got worse by more than the drift allowed, even if every shape stayed within its own
/// tolerance. With fewer shapes the test is reported, not gated.
public struct RegressDrift: Codable, Sendable, Equatable {
    public var method: String
    public var metric: RegressMetric
    public var shapes: Int
    public var mean: Double
    public var low: Double
    public var high: Double
    public var gate: Double?
    public var failed: Bool

    public static let resamples = 2000
    public static let minimumShapes = 10

    /// The paired statistic and its interval for worse-way changes `d` against baselines `b`.
    public static func test(worse d: [Double], baseline b: [Double], seed: UInt64 = 0) -> (mean: Double, low: Double, high: Double) {
        precondition(d.count == b.count && !d.isEmpty)
        func stat(_ idx: [Int]) -> Double {
            var sd = 0.0, sb = 0.0
            for i in idx { sd += d[i]; sb += abs(b[i]) }
            return sb > 0 ? sd / sb : (sd == 0 ? 0 : .infinity * sd.sign.asMultiplier)
        }
        let n = d.count
        let mean = stat(Array(0..<n))
        var rng = SeededRandom(seed: seed)
        var stats = [Double](repeating: 0, count: resamples)
        var idx = [Int](repeating: 0, count: n)
        for r in 0..<resamples {
            for k in 0..<n { idx[k] = Int(rng.next() % UInt64(n)) }
            stats[r] = stat(idx)
        }
        stats.sort()
        return (mean, stats[Int(0.025 * Double(resamples))], stats[Int(0.975 * Double(resamples)) - 1])
    }
}

/// `octoplane regress compare RESULTS.json --baseline BASELINE.json`: every shape × method ×
/// metric of the results against the blessed baseline, with the tolerances of the results'
/// suite. Writes the optional Markdown summary, JUnit XML and PNG sheet of the shapes that got
/// worse; the report's `passed` is false on any regression, failure (NaN, reconstruction error),
/// missing item or suite-wide drift (the CLI exits 1), and broken inputs throw (exit 2).
public struct RegressCompareJob: Job {
    public var results: String
    public var baseline: String
    public var junit: String? = nil
    public var markdown: String? = nil
    public var sheet: String? = nil
    /// Side of one tile of the sheet, pixels.
    public var tileSize = 256
    public init(results: String, baseline: String) { self.results = results; self.baseline = baseline }

    public func run() throws -> RegressComparison {
        let r = try RegressResults.read(results)
        let b = try RegressResults.read(baseline)
        var c = try RegressComparison.compare(r, b, resultsPath: results, baselinePath: baseline)
        if let sheet {
            c.sheet = try RegressSheet.write(c, results: r, resultsPath: results, to: sheet, tileSize: tileSize)
            c.files.append(sheet)
        }
        if let markdown {
            let sheetLink = sheet.map { RegressRunJob.relative($0, to: (markdown as NSString).deletingLastPathComponent) }
            try AtomicFile.write(Data(c.markdown(sheet: c.sheet == nil ? nil : sheetLink).utf8), to: markdown)
            c.files.append(markdown)
        }
        if let junit {
            try AtomicFile.write(Data(c.junitXML.utf8), to: junit)
            c.files.append(junit)
        }
        return c
    }
}

/// The whole comparison (the report of `regress compare`).
public struct RegressComparison: JobReport, Equatable {
    public var suite: String
    public var results: String
    public var baseline: String
    public var resultsVersion: String
    public var baselineVersion: String
    public var passed: Bool
    /// Worst first (by relative change the worse way).
    public var regressions: [RegressChange]
    /// Best first.
    public var improvements: [RegressChange]
    public var cases: [RegressCase]
    public var drift: [RegressDrift]
    /// Method settings that differ from the baseline's ("sdf-mc: sdf-mc 129³ → sdf-mc 65³").
    public var methodChanges: [String]
    /// Baseline items outside the results' shard (not compared, not missing).
    public var outsideShard: Int
    /// Per metric, the largest |new − baseline| over all compared items (the noise floor when
    /// nothing changed but the thread count).
    public var largestChange: [String: Double]
    /// Regressed or failed shapes drawn in the sheet (nil when no sheet was asked or none to draw).
    public var sheet: [String]?
    public var files: [String] = []

    public func cases(_ s: RegressCase.Status) -> [RegressCase] { cases.filter { $0.status == s } }

    public var text: String {
        var lines = [verdict]
        for g in regressions.prefix(10) { lines.append("  regression: " + Self.describe(g)) }
        if regressions.count > 10 { lines.append("  … \(regressions.count - 10) more") }
        for f in cases(.failed) { lines.append("  failed: \(f.shape) × \(f.method): \(f.message)") }
        for m in cases(.missing) { lines.append("  missing: \(m.shape) × \(m.method)") }
        for d in drift where d.failed {
            lines.append(String(format: "  drift: %@ %@ %+.3f%% on average over %d shapes (95%% interval %+.3f%% … %+.3f%%, allowed %.3f%%)",
                                d.method, d.metric.rawValue, 100 * d.mean, d.shapes, 100 * d.low, 100 * d.high, 100 * (d.gate ?? 0)))
        }
        if !cases(.new).isEmpty { lines.append("  new (no baseline): " + cases(.new).map { "\($0.shape) × \($0.method)" }.joined(separator: ", ")) }
        for m in methodChanges { lines.append("  method changed: \(m)") }
        for f in files { lines.append("  wrote \(f)") }
        return lines.joined(separator: "\n")
    }

    public var verdict: String {
        let n = cases.filter { $0.status != .new }.count
        if passed { return "PASS \(suite): \(n) shape × method cases within tolerance of the baseline\(improvements.isEmpty ? "" : ", \(improvements.count) metrics improved")" }
        var what: [String] = []
        let rs = Set(regressions.map { "\($0.shape)\u{1F}\($0.method)" }).count
        if !regressions.isEmpty { what.append("\(regressions.count) metric regressions in \(rs) cases") }
        if !cases(.failed).isEmpty { what.append("\(cases(.failed).count) failed") }
        if !cases(.missing).isEmpty { what.append("\(cases(.missing).count) missing") }
        let drifts = drift.filter(\.failed).count
        if drifts > 0 { what.append("\(drifts) suite-wide drifts") }
        return "FAIL \(suite): " + what.joined(separator: ", ") + " (of \(n) cases)"
    }

    static func describe(_ g: RegressChange) -> String {
        let dir = g.metric.lowerIsBetter ? (g.new >= g.baseline ? "rose" : "fell") : (g.new >= g.baseline ? "rose" : "fell")
        let rel = g.relative.isFinite ? String(format: " %.1f%%", 100 * abs(g.relative)) : ""
        return String(format: "%@ × %@: %@ %@%@ (%.6g → %.6g, allowed %.3g)", g.shape, g.method, g.metric.rawValue, dir, rel, g.baseline, g.new, g.allowed)
    }

    /// Compares `r` with the baseline `b`. Throws `RegressError.incompatibleBaseline` naming the
    /// first field that differs (suite format version, suite name, protocol, metrics, a method's
    /// kind), `invalidFile` when `b` is not a blessed baseline, `nonFinite` for a NaN in it.
    public static func compare(_ r: RegressResults, _ b: RegressResults, resultsPath: String, baselinePath: String) throws -> RegressComparison {
        guard b.isBaseline else {
            throw RegressError.invalidFile(path: baselinePath, field: "format", reason: "is a results file, not a baseline: accept it on purpose with `octoplane regress bless \(baselinePath) -o BASELINE.json`")
        }
        try checkCompatible(r.suite, b.suite)
        for it in b.items where it.error == nil {
            for (k, v) in it.metrics.sorted(by: { $0.key < $1.key }) where !v.isFinite {
                throw RegressError.nonFinite(path: baselinePath, shape: it.shape, method: it.method, metric: k)
            }
        }
        let s = r.suite
        var methodChanges: [String] = []
        for m in s.methods {
            if let old = b.suite.methods.first(where: { $0.id == m.id }), old != m { methodChanges.append("\(m.id): \(old.label) → \(m.label)") }
        }
        let baseItems = Dictionary(b.items.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let newKeys = Set(r.items.map(\.key))
        let shardShapes = Set(r.shapes.map(\.id))
        let sharded = r.shard != "0/1"

        var cases: [RegressCase] = [], regressions: [RegressChange] = [], improvements: [RegressChange] = []
        var largest: [String: Double] = [:]
        var pairs: [String: (d: [Double], b: [Double])] = [:]
        for it in r.items {
            guard let old = baseItems[it.key] else {
                cases.append(RegressCase(shape: it.shape, method: it.method, status: .new, message: "new: no baseline for this shape × method",
                                         details: s.metrics.map { "\($0.rawValue) = \(fmt(it.metrics[$0.rawValue] ?? .nan))" }, seconds: it.seconds))
                continue
            }
            var status = RegressCase.Status.passed, message = "within tolerance", details: [String] = []
            var worst = -Double.infinity
            if let e = it.error {
                status = .failed; message = "reconstruction failed: \(e)"
            }
            for metric in s.metrics {
                let name = metric.rawValue, tol = s.tolerance(metric)
                let bv = old.metrics[name] ?? .nan, nv = it.metrics[name] ?? .nan
                let allowed = tol.allowed(baseline: bv)
                guard nv.isFinite else {
                    details.append("\(name): \(fmt(bv)) → \(fmt(nv)) (not a number: failure)")
                    if status != .failed { status = .failed; message = "\(name) is \(fmt(nv))" }
                    continue
                }
                guard bv.isFinite else {
                    // Only a failed baseline item can hold NaN (checked above): nothing to compare.
                    details.append("\(name): baseline \(fmt(bv)) (failed in the baseline), now \(fmt(nv))")
                    continue
                }
                let limit = metric.lowerIsBetter ? bv + allowed : bv - allowed
                let worse = metric.lowerIsBetter ? nv - bv : bv - nv
                largest[name] = max(largest[name] ?? 0, abs(nv - bv))
                pairs[it.method + "\u{1F}" + name, default: ([], [])].d.append(worse)
                pairs[it.method + "\u{1F}" + name, default: ([], [])].b.append(bv)
                let change = RegressChange(shape: it.shape, method: it.method, metric: metric, baseline: bv, new: nv, worse: worse, allowed: allowed)
                // Exactly at the limit passes: the test is on the value, new vs baseline ± allowed.
                let regressed = metric.lowerIsBetter ? nv > limit : nv < limit
                let improved = metric.lowerIsBetter ? nv < bv - allowed : nv > bv + allowed
                details.append(String(format: "%@: %@ → %@ (%@, allowed %@ the worse way)%@", name, fmt(bv), fmt(nv),
                                      signed(nv - bv, bv), fmt(allowed), regressed ? " REGRESSION" : improved ? " improved" : ""))
                if regressed {
                    regressions.append(change)
                    if status == .passed || (status == .regressed && change.relative > worst) {
                        status = .regressed; worst = change.relative; message = describe(change)
                    }
                } else if improved {
                    improvements.append(change)
                }
            }
            cases.append(RegressCase(shape: it.shape, method: it.method, status: status, message: message, details: details, seconds: it.seconds))
        }
        var outside = 0
        for it in b.items where !newKeys.contains(it.key) {
            if sharded && !shardShapes.contains(it.shape) && r.suite.methods.contains(where: { $0.id == it.method }) { outside += 1; continue }
            cases.append(RegressCase(shape: it.shape, method: it.method, status: .missing,
                                     message: "missing: in the baseline, not in the results", details: [], seconds: 0))
        }

        var drift: [RegressDrift] = []
        for m in s.methods {
            for metric in s.metrics {
                guard let p = pairs[m.id + "\u{1F}" + metric.rawValue], !p.d.isEmpty else { continue }
                let t = RegressDrift.test(worse: p.d, baseline: p.b)
                let gate = s.tolerance(metric).drift
                let failed = gate.map { p.d.count >= RegressDrift.minimumShapes && t.low > $0 } ?? false
                drift.append(RegressDrift(method: m.id, metric: metric, shapes: p.d.count, mean: t.mean, low: t.low, high: t.high, gate: gate, failed: failed))
            }
        }
        regressions.sort { ($0.relative, $0.worse) > ($1.relative, $1.worse) }
        improvements.sort { ($0.relative, $0.worse) < ($1.relative, $1.worse) }
        let passed = regressions.isEmpty && !cases.contains { $0.status == .failed || $0.status == .missing } && !drift.contains(where: \.failed)
        return RegressComparison(suite: s.name, results: resultsPath, baseline: baselinePath,
                                 resultsVersion: r.environment.octoplane, baselineVersion: b.environment.octoplane,
                                 passed: passed, regressions: regressions, improvements: improvements, cases: cases, drift: drift,
                                 methodChanges: methodChanges, outsideShard: outside, largestChange: largest, sheet: nil)
    }

    /// Throws `incompatibleBaseline` for the first field that differs between two suites.
    static func checkCompatible(_ r: RegressSuite, _ b: RegressSuite) throws {
        func check(_ field: String, _ x: String, _ y: String) throws {
            if x != y { throw RegressError.incompatibleBaseline(field: field, results: x, baseline: y) }
        }
        try check("suite.version", "\(r.version)", "\(b.version)")
        try check("suite.name", r.name, b.name)
        try check("protocol.points", "\(r.metricProtocol.points)", "\(b.metricProtocol.points)")
        try check("protocol.tau", "\(r.metricProtocol.fScoreThresholds)", "\(b.metricProtocol.fScoreThresholds)")
        try check("protocol.iouPoints", "\(r.metricProtocol.iouPoints)", "\(b.metricProtocol.iouPoints)")
        try check("protocol.seed", "\(r.metricProtocol.seed)", "\(b.metricProtocol.seed)")
        try check("metrics", r.metrics.sorted().map(\.rawValue).joined(separator: ","), b.metrics.sorted().map(\.rawValue).joined(separator: ","))
        for m in r.methods {
            if let old = b.methods.first(where: { $0.id == m.id }) { try check("methods.\(m.id).method", m.kind, old.kind) }
        }
    }
}

/// Six significant digits; "nan"/"inf" as JSONOutput writes them.
func fmt(_ x: Double) -> String { x.isNaN ? "nan" : x.isInfinite ? (x > 0 ? "inf" : "-inf") : String(format: "%.6g", x) }

/// "+0.0012 (+3.4%)".
func signed(_ d: Double, _ base: Double) -> String {
    let rel = base != 0 ? String(format: " (%+.2f%%)", 100 * d / abs(base)) : ""
    return String(format: "%+.4g", d) + rel
}
