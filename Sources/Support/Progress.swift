import Foundation

/// A progress line for long jobs (dataset conversion, synthesis, training): count, rate and ETA,
/// redrawn in place on a terminal (stderr), one line per ~10% otherwise (logs, CI).
/// Thread-safe: `advance` may be called from worker threads.
public final class ProgressReporter: @unchecked Sendable {
    public let label: String
    public let total: Int
    private var done = 0
    private var lastPrint = 0.0
    private var lastDecile = -1
    private let start = Date()
    private let lock = NSLock()
    private let interactive: Bool
    private let quiet: Bool

    public init(_ label: String, total: Int, quiet: Bool = false) {
        self.label = label; self.total = total; self.quiet = quiet
        interactive = isatty(STDERR_FILENO) != 0
    }

    /// Marks `n` more units done (already-complete units skipped on resume count too).
    public func advance(_ n: Int = 1) {
        lock.lock(); defer { lock.unlock() }
        done += n
        guard !quiet else { return }
        let t = Date().timeIntervalSince(start)
        if interactive {
            if t - lastPrint >= 0.1 || done == total { lastPrint = t; emit(t, carriage: true) }
        } else {
            let decile = total > 0 ? done * 10 / total : 0
            if decile != lastDecile { lastDecile = decile; emit(t, carriage: false) }
        }
    }

    /// Ends the line on a terminal.
    public func finish() {
        lock.lock(); defer { lock.unlock() }
        if interactive && !quiet { FileHandle.standardError.write("\n".data(using: .utf8)!) }
    }

    /// Seconds since the reporter was made.
    public var elapsed: Double { Date().timeIntervalSince(start) }

    private func emit(_ t: Double, carriage: Bool) {
        let rate = t > 0 ? Double(done) / t : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let pct = total > 0 ? 100 * done / total : 100
        let width = 24
        let filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = String(format: "%@ %@ %d/%d (%d%%) %.1f/s ETA %@", label, bar, done, total, pct, rate, ProgressReporter.clock(eta))
        FileHandle.standardError.write(((carriage ? "\r" : "") + line + (carriage ? "" : "\n")).data(using: .utf8)!)
    }

    public static func clock(_ s: Double) -> String {
        let s = Int(s.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
