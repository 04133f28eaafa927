import ArgumentParser

// Placeholder until its issue lands: registered so the command tree compiles.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "convert", abstract: "Convert a ShapeNet tree to sample files (not built yet)")
    func run() throws { throw ValidationError("'convert' is not built yet") }
}
