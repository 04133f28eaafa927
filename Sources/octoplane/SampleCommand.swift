import ArgumentParser

// Placeholder until its issue lands: registered so the command tree compiles.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sample", abstract: "Sample occupancy/UDF points from a mesh (not built yet)")
    func run() throws { throw ValidationError("'sample' is not built yet") }
}
