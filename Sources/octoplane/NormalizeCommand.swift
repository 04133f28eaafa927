import ArgumentParser

// Placeholder until its issue lands: registered so the command tree compiles.
struct NormalizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "normalize", abstract: "Normalize a mesh (not built yet)")
    func run() throws { throw ValidationError("'normalize' is not built yet") }
}
