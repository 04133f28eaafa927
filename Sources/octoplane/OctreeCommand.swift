import ArgumentParser

// Placeholder until its issue lands: registered so the command tree compiles.
struct OctreeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "octree", abstract: "Octree build/encode/decode/render (not built yet)")
    func run() throws { throw ValidationError("'octree' is not built yet") }
}
