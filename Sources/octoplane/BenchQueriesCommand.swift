import ArgumentParser

// Placeholder until its issue lands: registered so the command tree compiles.
struct BenchQueriesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queries", abstract: "Occupancy/UDF query benchmark (not built yet)")
    func run() throws { throw ValidationError("'queries' is not built yet") }
}
