import Foundation
import Testing
import TestSupport
@testable import Pipeline

@Suite("The generator training loop")
struct GeneratorTrainingLoopTests {
    @Test("checkpoints, previews and the loss plot come at their steps; a NaN loss stops the run without checkpointing over the last good state")
    func loopSchedule() throws {
        let tmp = try TemporaryDirectory("train-loop"); defer { tmp.remove() }
        var loop = GeneratorTrainingLoop(label: "test", output: tmp.path, totalSteps: 7, checkpointEvery: 3, lossTitle: "LOSS")
        loop.previewEvery = 4; loop.quiet = true
        var step = 0, checkpoints: [Int] = [], previews: [Int] = []
        try loop.run(resumed: false, start: Date(), modelFile: tmp.path + "/model", step: { step }, trainStep: { step += 1; return 1 / Float(step) },
                     checkpoint: { checkpoints.append(step); FileManager.default.createFile(atPath: tmp.path + "/model", contents: Data()) },
                     preview: { previews.append($0) })
        #expect(checkpoints == [3, 6, 7] && previews == [4, 7])
        #expect(FileManager.default.fileExists(atPath: tmp.path + "/loss.png"))
        // Nothing left to run: nothing is written again while the model exists, and a missing model is written once.
        try loop.run(resumed: true, start: Date(), modelFile: tmp.path + "/model", step: { step }, trainStep: { 1 }, checkpoint: { checkpoints.append(-1) }, preview: { _ in })
        #expect(checkpoints == [3, 6, 7])
        try loop.run(resumed: true, start: Date(), modelFile: tmp.path + "/absent", step: { step }, trainStep: { 1 }, checkpoint: { checkpoints.append(-1) }, preview: { _ in })
        #expect(checkpoints == [3, 6, 7, -1])
        checkpoints = []

        var failing = loop
        failing.totalSteps = 20; failing.previewEvery = 0
        step = 0
        do {
            try failing.run(resumed: false, start: Date(), modelFile: tmp.path + "/model", step: { step },
                            trainStep: { step += 1; return step == 5 ? .nan : 1 }, checkpoint: { checkpoints.append(step) }, preview: { _ in })
            Issue.record("a NaN loss did not stop the run")
        } catch let PipelineError.failed(message) {
            #expect(message.contains("step 5"), "\(message)")
        }
        #expect(checkpoints == [3])
    }

    @Test("a resumed run keeps the log up to its checkpoint's step and drops what a killed run logged past it")
    func resumedLog() throws {
        let tmp = try TemporaryDirectory("train-loop-log"); defer { tmp.remove() }
        let lines = [10, 20, 30].map { GeneratorTrainingLoop.Line(step: $0, loss: 1, seconds: 0) }
        try lines.map { String(decoding: try JSONOutput.data($0, pretty: false), as: UTF8.self) }.joined(separator: "\n")
            .write(toFile: tmp.path + "/log.jsonl", atomically: true, encoding: .utf8)
        var step = 20
        let loop = GeneratorTrainingLoop(label: "test", output: tmp.path, totalSteps: 40, checkpointEvery: 100, lossTitle: "LOSS", quiet: true)
        try loop.run(resumed: true, start: Date(), modelFile: tmp.path + "/model", step: { step }, trainStep: { step += 1; return 0.5 },
                     checkpoint: {}, preview: { _ in })
        #expect(GeneratorTrainingLoop.readLog(tmp.path + "/log.jsonl").map(\.step) == [10, 20, 30, 40])
        #expect(GeneratorTrainingLoop.readLog(tmp.path + "/log.jsonl").map(\.loss) == [1, 1, 0.5, 0.5])
    }
}
