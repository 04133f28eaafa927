import ArgumentParser

// Placeholder until its issue lands: registered so the command tree compiles.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "synth", abstract: "Generate the procedural ShapeNet-style collection (not built yet)")
    func run() throws { throw ValidationError("'synth' is not built yet") }
}
