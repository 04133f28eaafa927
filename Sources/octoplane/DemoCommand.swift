import ArgumentParser

// Placeholder until its issue lands: registered so the command tree compiles.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "End-to-end demo on the bundled data (not built yet)")
    func run() throws { throw ValidationError("'demo' is not built yet") }
}
