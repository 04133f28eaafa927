import ArgumentParser

// Placeholder until its issue lands: registered so the command tree compiles.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "render", abstract: "Render a mesh to PNG (not built yet)")
    func run() throws { throw ValidationError("'render' is not built yet") }
}
