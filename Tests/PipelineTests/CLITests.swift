import Foundation
import Testing

/// The `octoplane` executable built beside the test bundle (swift build/test builds it), or nil
/// (shared by the CLI test files of this target).
let octoplaneBinary: String? = {
    let dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for candidate in [dir, dir.deletingLastPathComponent()] {
        let p = candidate.appendingPathComponent("octoplane").path
        if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
}()

/// Runs the executable with `args` (and extra environment variables); exit status, stdout, stderr.
func run(_ args: [String], environment: [String: String]? = nil) throws -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: octoplaneBinary!)
    p.arguments = args
    if let environment { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out; p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

@Suite("The info and normalize commands", .enabled(if: octoplaneBinary != nil))
struct CLITests {
    @Test("bad input exits non-zero with the file and the reason on stderr, and writes nothing")
    func badInput() throws {
        let dir = NSTemporaryDirectory() + "octoplane-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = FileManager.default.createFile(atPath: "\(dir)/empty.obj", contents: Data())
        for args in [["info", "\(dir)/missing.ply"], ["info", "\(dir)/empty.obj"],
                     ["normalize", "\(dir)/empty.obj", "\(dir)/out.ply", "--convention", "nfd"]] {
            let r = try run(args)
            #expect(r.status != 0, "\(args)")
            #expect(r.err.contains(args[1]), "stderr names the file: \(r.err)")
            #expect(r.out.isEmpty)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["empty.obj"])
    }

    @Test("info --json on a bundled mesh is valid JSON with the expected counts")
    func infoJSON() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let r = try run(["info", "\(root)/Assets/meshes/icosphere.ply", "--json"])
        #expect(r.status == 0)
        let obj = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
        #expect(obj?["faces"] as? Int == 1280)
        #expect(obj?["watertight"] as? Bool == true)
        #expect(obj?["eulerCharacteristic"] as? Int == 2)
    }
}
