import Foundation

/// The one shape of every command's work: a job is a settings value (a struct of plain fields with
/// documented defaults) whose `run()` does the work and returns an `Encodable` report. The CLI
/// fills the settings from its arguments, calls `run()`, and prints `report.text` or
/// `report.json` — nothing else.
///
///     let report = try ExtractJob(input: "grid.npy", output: "out.obj").run()
///     print(json ? report.json : report.text)
///
/// Errors: jobs throw `PipelineError` for what they check themselves (options, input files,
/// outputs) and pass the typed errors of the library modules through (`MeshIOError`,
/// `ExtractionError`, …), each with a one-line `description` that names the file at fault.
public protocol Job: Sendable {
    associatedtype Report: JobReport
    func run() throws -> Report
}

/// What a job returns: printable as text for people and as JSON for scripts.
public protocol JobReport: Encodable {
    /// A few human-readable lines.
    var text: String { get }
}

extension JobReport {
    /// The report as pretty-printed JSON with sorted keys, through `JSONOutput` (NaN-safe).
    public var json: String { JSONOutput.string(self) }
}

/// The one JSON encoder of the pipeline. Non-finite numbers (a NaN Chamfer distance of an empty
/// reconstruction, an infinite ratio) do not make encoding throw: they are written as the strings
/// `"nan"`, `"inf"` and `"-inf"`, which Python's `float()` reads back.
public enum JSONOutput {
    public static func encoder(pretty: Bool = true) -> JSONEncoder {
        let e = JSONEncoder()
        // Slashes unescaped: reports and manifests are full of paths.
        e.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    /// Encoded bytes. Encoding plain report structs cannot fail once non-finite floats are
    /// handled; should a custom `encode(to:)` throw, its error is passed on.
    public static func data(_ value: some Encodable, pretty: Bool = true) throws -> Data {
        try encoder(pretty: pretty).encode(value)
    }

    /// Encoded text; a value whose encoding throws gives `{"error": "<reason>"}` instead.
    public static func string(_ value: some Encodable, pretty: Bool = true) -> String {
        do { return String(decoding: try data(value, pretty: pretty), as: UTF8.self) } catch {
            return "{\"error\": \"cannot encode: \(String(describing: error).replacingOccurrences(of: "\"", with: "'"))\"}"
        }
    }
}

/// Why a job refused or failed, for what the job checks itself. Each case names the file or
/// option at fault; `description` is the one line the CLI prints.
public enum PipelineError: Error, Equatable, CustomStringConvertible {
    /// A settings value out of range or inconsistent (`--points -5`, min ≥ max, an unknown name).
    case invalidOption(String)
    /// An input that exists but cannot be used (wrong rank, dtype, layout, version).
    case invalidInput(path: String, reason: String)
    /// An input that cannot be read at all.
    case unreadable(path: String, reason: String)
    /// An output that cannot be written.
    case unwritable(path: String, reason: String)
    /// The job ran to the end but its result is a failure (e.g. a regression gate that found
    /// regressions, a run whose every item failed).
    case failed(String)

    public var description: String {
        switch self {
        case let .invalidOption(r): return r
        case let .invalidInput(p, r): return "\(p): \(r)"
        case let .unreadable(p, r): return "\(p): cannot read: \(r)"
        case let .unwritable(p, r): return "\(p): cannot write: \(r)"
        case let .failed(r): return r
        }
    }
}
