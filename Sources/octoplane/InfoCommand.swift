import ArgumentParser

// Placeholder until its issue lands: registered so the command tree compiles.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Mesh statistics (not built yet)")
    func run() throws { throw ValidationError("'info' is not built yet") }
}
