import Foundation

/// Runs `python3 -c script args…` (found on PATH); returns (exit status, stdout + stderr).
/// Status −1 when python3 cannot be started. Shared by the test targets that check numpy and
/// safetensors interoperability.
public func runPython(_ script: String, _ args: [String] = []) -> (Int32, String) {
    runProcess("/usr/bin/env", ["python3", "-c", script] + args)
}

/// Runs `executable` with `arguments`; returns (exit status, stdout + stderr), status −1 when it
/// cannot be started.
public func runProcess(_ executable: String, _ arguments: [String]) -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    let pipe = Pipe()
    p.standardOutput = pipe; p.standardError = pipe
    do { try p.run() } catch { return (-1, "\(error)") }
    let out = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: out, as: UTF8.self))
}

/// True when `python3 -c "import numpy"` succeeds (interop tests skip cleanly otherwise).
public let numpyAvailable: Bool = runPython("import numpy").0 == 0
