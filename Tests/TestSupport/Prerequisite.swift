import Foundation

/// Tests that need something outside the repository (the built `octoplane` binary, numpy, the
/// assimp test models of `assimp-testmodels`) say so with a trait, so that a missing prerequisite
/// shows as a skipped test, never as an early `return` that passes:
///
///     @Test("…", .enabled(if: Prerequisite.met(numpyAvailable), "needs python3 with numpy"))
///     func interop() throws { … }
///
/// Under `CI=true` nothing may be missing: `met` is then always true, so the test runs and fails on
/// the missing prerequisite (the test body must `#require` it, e.g. `try #require(binary)`).
public enum Prerequisite {
    /// True when the environment variable `CI` is `true` (or `1`).
    public static let isCI: Bool = ["true", "1"].contains(ProcessInfo.processInfo.environment["CI"]?.lowercased() ?? "")

    /// Whether a test needing `available` runs: when it is available, and always under CI.
    public static func met(_ available: Bool) -> Bool { available || isCI }

    /// Whether a test needing the file at `path` runs (see `met`).
    public static func file(_ path: String) -> Bool { met(FileManager.default.fileExists(atPath: path)) }
}
