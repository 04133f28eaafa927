import ArgumentParser
import Foundation
import Pipeline

/// `octoplane regress run|compare|bless`: regression tests on reconstruction metrics (see
/// `Pipeline.RegressRunJob`, `RegressCompareJob`, `RegressBlessJob`). Exit status: 0 pass, 1 a
/// regression (compare), 2 a broken input (any subcommand), 64 bad arguments.
struct RegressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regress",
        abstract: "Regression tests on reconstruction metrics: run a suite, compare with a baseline, bless a new one.",
        discussion: "Exit status: 0 within tolerance, 1 on a regression, 2 on a broken input (suite, results, baseline).",
        subcommands: [Run.self, Compare.self, Bless.self])

    /// Runs a job; a thrown error is printed as `Error: …` and exits 2 (broken input).
    static func guarded<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reconstruct and score every shape × method of a suite; resumable (per-item records in RESULTS.parts/).")
        @Argument(help: "Suite file (JSON, format octoplane-regress-suite).") var suite: String
        @Option(name: .long, help: "Results file to write.") var out: String
        @Option(help: "Folder for the reconstructed meshes (default: RESULTS minus .json, plus .meshes).") var meshes: String?
        @Option(help: "Only shard i/n of the shapes (0-based).") var shard: String?
        @Flag(help: "Ignore records of an interrupted run and recompute everything.") var fresh = false
        @Flag(help: "No progress line.") var quiet = false
        @Flag(help: "Print the report as JSON.") var json = false

        func run() throws {
            var job = RegressRunJob(suite: suite, output: out)
            job.meshes = meshes; job.shard = shard; job.fresh = fresh; job.showProgress = !quiet
            let r = try RegressCommand.guarded { try job.run() }
            print(json ? r.json : r.text)
        }
    }

    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare results with a blessed baseline: exit 0 within tolerance, 1 on a regression, 2 on a broken input.")
        @Argument(help: "Results file of `regress run`.") var results: String
        @Option(help: "Baseline file of `regress bless`.") var baseline: String
        @Option(help: "Write JUnit XML (one test case per shape × method).") var junit: String?
        @Option(help: "Write a Markdown summary.") var markdown: String?
        @Option(help: "Write a PNG sheet: reference and new mesh of each shape that got worse.") var sheet: String?
        @Flag(help: "Print the report as JSON.") var json = false

        func run() throws {
            var job = RegressCompareJob(results: results, baseline: baseline)
            job.junit = junit; job.markdown = markdown; job.sheet = sheet
            let r = try RegressCommand.guarded { try job.run() }
            print(json ? r.json : r.text)
            if !r.passed { throw ExitCode(1) }
        }
    }

    struct Bless: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Accept a results file as the new baseline, on purpose.")
        @Argument(help: "Results file of `regress run`.") var results: String
        @Option(name: .shortAndLong, help: "Baseline file to write.") var output: String

        func run() throws {
            let r = try RegressCommand.guarded { try RegressBlessJob(results: results, output: output).run() }
            print(r.text)
        }
    }
}
