import Foundation
import Geometry
import MeshIO
import Rendering

// The three outputs of `regress compare`: a Markdown summary for people (a CI job summary, a
// merge-request comment), JUnit XML for CI systems, and a PNG sheet of what got worse.

extension RegressComparison {
    /// The Markdown summary: verdict, worst regressions first, failures, missing and new shapes,
    /// the suite-wide paired test, improvements, method changes; `sheet` links the picture.
    public func markdown(sheet: String? = nil) -> String {
        var l = ["# Regression report: \(suite)", "", "**\(verdict)**", "",
                 "Results `\(results)` (Octoplane \(resultsVersion)) against baseline `\(baseline)` (Octoplane \(baselineVersion)).", ""]
        let counts = [RegressCase.Status.passed, .regressed, .failed, .missing, .new].map { "\($0.rawValue) \(cases($0).count)" }
        l.append("Cases (shape × method): " + counts.joined(separator: " · ") + (outsideShard > 0 ? " · outside this shard \(outsideShard)" : ""))
        l.append("")
        if !regressions.isEmpty {
            l += ["## Regressions (worst first)", "", "| shape | method | metric | baseline | new | change | allowed |", "|---|---|---|---:|---:|---:|---:|"]
            for g in regressions {
                l.append("| \(md(g.shape)) | \(md(g.method)) | \(g.metric.rawValue) | \(fmt(g.baseline)) | \(fmt(g.new)) | \(signed(g.new - g.baseline, g.baseline)) | \(fmt(g.allowed)) |")
            }
            l.append("")
        }
        if let sheet { l += ["![reference and new mesh of each shape that got worse](\(sheet))", ""] }
        if !cases(.failed).isEmpty {
            l += ["## Failed (NaN metric or reconstruction error)", ""] + cases(.failed).map { "- \(md($0.shape)) × \(md($0.method)): \(md($0.message))" } + [""]
        }
        if !cases(.missing).isEmpty {
            l += ["## Missing shapes (in the baseline, not in the results)", ""] + cases(.missing).map { "- \(md($0.shape)) × \(md($0.method))" } + [""]
        }
        if !cases(.new).isEmpty {
            l += ["## New shapes (no baseline yet; `regress bless` to accept)", ""] + cases(.new).map { "- \(md($0.shape)) × \(md($0.method))" } + [""]
        }
        if !drift.isEmpty {
            l += ["## Suite-wide change (paired over shapes, bootstrap 95% interval)", "",
                  "Mean change the worse way relative to the mean baseline (+ = worse); gated when the suite sets a drift tolerance and ≥ \(RegressDrift.minimumShapes) shapes were compared.", "",
                  "| method | metric | shapes | mean change | 95% interval | drift allowed | verdict |", "|---|---|---:|---:|---:|---:|---|"]
            for d in drift {
                let verdict = d.failed ? "**DRIFT**" : d.gate == nil ? "not gated" : d.shapes < RegressDrift.minimumShapes ? "too few shapes to gate" : "ok"
                l.append(String(format: "| %@ | %@ | %d | %+.3f%% | %+.3f%% … %+.3f%% | %@ | %@ |", md(d.method), d.metric.rawValue, d.shapes,
                                100 * d.mean, 100 * d.low, 100 * d.high, d.gate.map { String(format: "%.3f%%", 100 * $0) } ?? "—", verdict))
            }
            l.append("")
        }
        if !improvements.isEmpty {
            l += ["## Improvements (beyond tolerance)", "", "| shape | method | metric | baseline | new | change |", "|---|---|---|---:|---:|---:|"]
            for g in improvements { l.append("| \(md(g.shape)) | \(md(g.method)) | \(g.metric.rawValue) | \(fmt(g.baseline)) | \(fmt(g.new)) | \(signed(g.new - g.baseline, g.baseline)) |") }
            l.append("")
        }
        if !methodChanges.isEmpty { l += ["## Method settings changed", ""] + methodChanges.map { "- \(md($0))" } + [""] }
        if !largestChange.isEmpty {
            l += ["Largest |change| per metric over all compared cases: " + largestChange.sorted { $0.key < $1.key }.map { "\($0.key) \(fmt($0.value))" }.joined(separator: ", "), ""]
        }
        return l.joined(separator: "\n")
    }

    /// JUnit XML as GitLab, Jenkins and GitHub Actions (test-reporter actions) read it: a
    /// `<testsuites>` root with totals, one `<testsuite>` per method with `tests`, `failures`,
    /// `errors`, `skipped` and `time`, one `<testcase name=SHAPE classname=SUITE.METHOD time>` per
    /// shape; a regression, NaN or missing shape is a `<failure message type>`, a failed
    /// reconstruction an `<error>`, a new shape `<skipped>`; per-metric lines in `<system-out>`.
    /// The paired test adds a `<testsuite name="SUITE.drift">` with one case per gated
    /// method × metric.
    public var junitXML: String {
        var methods: [String] = []
        for c in cases where !methods.contains(c.method) { methods.append(c.method) }
        var body: [String] = []
        var total = (tests: 0, failures: 0, errors: 0, skipped: 0, time: 0.0)
        for m in methods {
            let cs = cases.filter { $0.method == m }
            let failures = cs.filter { $0.status == .regressed || $0.status == .missing || ($0.status == .failed && !$0.message.hasPrefix("reconstruction failed")) }.count
            let errors = cs.filter { $0.status == .failed && $0.message.hasPrefix("reconstruction failed") }.count
            let skipped = cs.filter { $0.status == .new }.count
            let time = cs.map(\.seconds).reduce(0, +)
            total.tests += cs.count; total.failures += failures; total.errors += errors; total.skipped += skipped; total.time += time
            body.append("  <testsuite name=\"\(xml("\(suite).\(m)"))\" tests=\"\(cs.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\" time=\"\(secs(time))\">")
            for c in cs {
                var inner = ""
                switch c.status {
                case .passed: break
                case .regressed: inner = "      <failure message=\"\(xml(c.message))\" type=\"regression\">\(xml(c.details.joined(separator: "\n")))</failure>\n"
                case .missing: inner = "      <failure message=\"\(xml(c.message))\" type=\"missing\"/>\n"
                case .failed:
                    let tag = c.message.hasPrefix("reconstruction failed") ? "error" : "failure"
                    inner = "      <\(tag) message=\"\(xml(c.message))\" type=\"\(tag == "error" ? "error" : "nan")\">\(xml(c.details.joined(separator: "\n")))</\(tag)>\n"
                case .new: inner = "      <skipped message=\"\(xml(c.message))\"/>\n"
                }
                if !c.details.isEmpty && (c.status == .passed || c.status == .new) { inner += "      <system-out>\(xml(c.details.joined(separator: "\n")))</system-out>\n" }
                body.append("    <testcase name=\"\(xml(c.shape))\" classname=\"\(xml("\(suite).\(m)"))\" time=\"\(secs(c.seconds))\"" + (inner.isEmpty ? "/>" : ">\n" + inner + "    </testcase>"))
            }
            body.append("  </testsuite>")
        }
        let gated = drift.filter { $0.gate != nil }
        if !gated.isEmpty {
            let failures = gated.filter(\.failed).count
            total.tests += gated.count; total.failures += failures
            body.append("  <testsuite name=\"\(xml("\(suite).drift"))\" tests=\"\(gated.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"0\" time=\"0\">")
            for d in gated {
                let line = String(format: "mean change %+.3f%% over %d shapes, 95%% interval %+.3f%% … %+.3f%%, drift allowed %.3f%%",
                                  100 * d.mean, d.shapes, 100 * d.low, 100 * d.high, 100 * (d.gate ?? 0))
                let name = xml("\(d.method) \(d.metric.rawValue) suite mean"), cls = xml("\(suite).drift")
                body.append(d.failed
                    ? "    <testcase name=\"\(name)\" classname=\"\(cls)\" time=\"0\">\n      <failure message=\"\(xml(line))\" type=\"drift\"/>\n    </testcase>"
                    : "    <testcase name=\"\(name)\" classname=\"\(cls)\" time=\"0\">\n      <system-out>\(xml(line))</system-out>\n    </testcase>")
            }
            body.append("  </testsuite>")
        }
        return (["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                 "<testsuites name=\"\(xml("octoplane regress \(suite)"))\" tests=\"\(total.tests)\" failures=\"\(total.failures)\" errors=\"\(total.errors)\" skipped=\"\(total.skipped)\" time=\"\(secs(total.time))\">"]
                + body + ["</testsuites>", ""]).joined(separator: "\n")
    }
}

/// Escapes text for XML attributes and content (newlines kept as `&#10;` so attributes keep
/// them); control characters XML 1.0 forbids are dropped.
func xml(_ s: String) -> String {
    var out = ""
    for u in s.unicodeScalars {
        switch u {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        case "\n": out += "&#10;"
        case "\t", "\r": out += "&#\(u.value);"
        default: if u.value >= 0x20 && u.value != 0xFFFE && u.value != 0xFFFF { out.unicodeScalars.append(u) }
        }
    }
    return out
}

private func secs(_ t: Double) -> String { String(format: "%.3f", t.isFinite ? max(0, t) : 0) }

/// Markdown table cells: pipes escaped, one line.
private func md(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }

/// The picture of what got worse: one row per regressed or failed shape × method, worst first —
/// the reference (the input shape, normalized as the run saw it) beside the new reconstruction
/// (`<results>.meshes/`), labelled with the worst metric change.
enum RegressSheet {
    /// At most this many rows (the rest are in the Markdown and JUnit reports).
    static let maxRows = 24

    /// Writes the sheet; returns the "shape × method" rows drawn, or nil when nothing got worse
    /// (no file is written then). A reference or mesh that cannot be loaded is drawn as an empty
    /// tile saying so.
    static func write(_ c: RegressComparison, results r: RegressResults, resultsPath: String, to path: String, tileSize: Int) throws -> [String]? {
        var rows: [(shape: String, method: String, label: String)] = []
        for g in c.regressions where !rows.contains(where: { $0.shape == g.shape && $0.method == g.method }) {
            let rel = g.relative.isFinite ? String(format: " %+.1f%%", 100 * (g.new - g.baseline) / abs(g.baseline)) : ""
            rows.append((g.shape, g.method, "\(g.method) \(g.metric.shortName)\(rel)"))
        }
        for f in c.cases(.failed) where !rows.contains(where: { $0.shape == f.shape && $0.method == f.method }) {
            rows.append((f.shape, f.method, "\(f.method) FAILED"))
        }
        guard !rows.isEmpty else { return nil }
        rows = Array(rows.prefix(maxRows))
        let options = RenderOptions(width: tileSize, height: tileSize)
        let blank = RGBImage(width: tileSize, height: tileSize, fill: RGB8(235, 235, 235))
        let folder = (resultsPath as NSString).deletingLastPathComponent
        var images: [RGBImage] = [], labels: [String] = []
        var references: [String: RGBImage] = [:]
        for row in rows {
            if references[row.shape] == nil {
                if let shape = r.shapes.first(where: { $0.id == row.shape }), var mesh = try? shape.load().mesh {
                    mesh.normals = nil   // a file's own normals may point inwards; draw with the faces' winding
                    references[row.shape] = try Renderer.render(mesh: mesh, azimuth: 35, elevation: 20, options: options)
                } else { references[row.shape] = blank }
            }
            images.append(references[row.shape]!); labels.append("\(row.shape) ref")
            let item = r.items.first { $0.shape == row.shape && $0.method == row.method }
            var look = options
            if let m = try? r.suite.methods.first(where: { $0.id == row.method })?.method(), m.isUnoriented { look.backColor = look.frontColor }
            if let rel = item?.mesh, let mesh = try? MeshReader.read(path: RegressSuite.resolve(rel, base: folder)), !mesh.isEmpty {
                images.append(try Renderer.render(mesh: mesh, azimuth: 35, elevation: 20, options: look))
                labels.append(row.label)
            } else {
                images.append(blank); labels.append(row.label + " (no mesh)")
            }
        }
        // Reference | new, two pairs a row once there are several.
        try ContactSheet.compose(images: images, columns: rows.count > 1 ? 4 : 2, labels: labels).writePNG(to: path)
        return rows.map { "\($0.shape) × \($0.method)" }
    }
}
