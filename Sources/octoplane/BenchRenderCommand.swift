import ArgumentParser

// Placeholder until its issue lands: registered so the command tree compiles.
struct BenchRenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "render", abstract: "Renderer benchmark (not built yet)")
    func run() throws { throw ValidationError("'render' is not built yet") }
}
