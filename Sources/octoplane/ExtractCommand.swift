import ArgumentParser

// Placeholder until its issue lands: registered so the command tree compiles.
struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "extract", abstract: "Extract a mesh from a grid (not built yet)")
    func run() throws { throw ValidationError("'extract' is not built yet") }
}
