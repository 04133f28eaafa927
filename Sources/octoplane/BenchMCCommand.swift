import ArgumentParser

// Placeholder until its issue lands: registered so the command tree compiles.
struct BenchMCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mc", abstract: "Marching cubes benchmark (not built yet)")
    func run() throws { throw ValidationError("'mc' is not built yet") }
}
