import ArgumentParser
import Foundation
import Pipeline

/// `octoplane synth --out DIR [--categories chair,table,…] [--per-category N] [--seed S] [--json]`.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write the procedural ShapeNetCore-v2-style collection (chair, table, airplane, car, lamp, mug).",
        discussion: """
        Layout: DIR/taxonomy.json, DIR/<synset>/<model_id>/models/model_normalized.{obj,json}. Deterministic \
        (same seed, same bytes); model ids are stable hashes of (category, seed, index). Complete models are \
        skipped on a rerun, so an interrupted run resumes.
        """)

    @Option(name: .long, help: "Output root.") var out: String
    @Option(help: "Comma-separated categories (names or synset ids); default: all six.") var categories: String?
    @Option(help: "Shapes per category.") var perCategory = 8
    @Option(help: "Collection seed.") var seed: UInt64 = 0
    @Flag(help: "Print the report as JSON.") var json = false

    func validate() throws {
        guard perCategory >= 1 else { throw ValidationError("--per-category must be ≥ 1") }
    }

    func run() throws {
        var job = SynthJob(output: out)
        job.categories = categories.map { $0.split(separator: ",").map(String.init) }
        job.perCategory = perCategory; job.seed = seed
        try job.run().emit(json: json)
    }
}
