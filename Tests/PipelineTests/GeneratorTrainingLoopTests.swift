import Foundation
import Testing
import TestSupport
@testable import Pipeline
import TensorCore

/// A trainer whose loss is `loss(step)`; it records the steps it checkpointed at and writes
/// nothing but an empty model file.
private final class FakeTrainer: GeneratorTraining {
    var step: Int
    let loss: (Int) -> Float
    var checkpoints: [Int] = []
    init(step: Int = 0, loss: @escaping (Int) -> Float) { self.step = step; self.loss = loss }
    func trainStep() -> Float { step += 1; return loss(step) }
    func checkpoint(to path: String) throws { checkpoints.append(step) }
    func saveModel(to path: String, dtype: SafetensorsDType) throws { _ = FileManager.default.createFile(atPath: path, contents: Data()) }
}

@Suite("The generator training loop")
struct GeneratorTrainingLoopTests {
    @Test("checkpoints, previews and the loss plot come at their steps; a finished run with its model writes nothing more")
    func loopSchedule() throws {
        let tmp = try TemporaryDirectory("train-loop"); defer { tmp.remove() }
        var loop = GeneratorTrainingLoop(label: "test", output: tmp.path, totalSteps: 7, checkpointEvery: 3, lossTitle: "LOSS")
        loop.previewEvery = 4; loop.quiet = true
        let trainer = FakeTrainer { 1 / Float($0) }
        var previews: [Int] = []
        try loop.run(trainer, resumed: false, start: Date()) { previews.append($0) }
        #expect(trainer.checkpoints == [3, 6, 7] && previews == [4, 7])
        #expect(FileManager.default.fileExists(atPath: tmp.path + "/loss.png"))
        try loop.run(trainer, resumed: true, start: Date()) { previews.append($0) }
        #expect(trainer.checkpoints == [3, 6, 7] && previews == [4, 7])
        try FileManager.default.removeItem(atPath: tmp.path + "/model.safetensors")
        try loop.run(trainer, resumed: true, start: Date()) { _ in }
        #expect(trainer.checkpoints == [3, 6, 7, 7])                      // a missing model is written once
    }

    @Test("a NaN loss stops the run naming its step, without checkpointing over the last good state")
    func nanLoss() throws {
        let tmp = try TemporaryDirectory("train-loop-nan"); defer { tmp.remove() }
        let loop = GeneratorTrainingLoop(label: "test", output: tmp.path, totalSteps: 20, checkpointEvery: 3, lossTitle: "LOSS", quiet: true)
        let trainer = FakeTrainer { $0 == 5 ? .nan : 1 }
        do {
            try loop.run(trainer, resumed: false, start: Date()) { _ in }
            Issue.record("a NaN loss did not stop the run")
        } catch let PipelineError.failed(message) {
            #expect(message.contains("step 5"), "\(message)")
        }
        #expect(trainer.checkpoints == [3])
    }

    @Test("a resumed run keeps the log up to its checkpoint's step and drops what a killed run logged past it")
    func resumedLog() throws {
        let tmp = try TemporaryDirectory("train-loop-log"); defer { tmp.remove() }
        let lines = [10, 20, 30].map { GeneratorTrainingLoop.Line(step: $0, loss: 1, seconds: 0) }
        try lines.map { String(decoding: try JSONOutput.data($0, pretty: false), as: UTF8.self) }.joined(separator: "\n")
            .write(toFile: tmp.path + "/log.jsonl", atomically: true, encoding: .utf8)
        let loop = GeneratorTrainingLoop(label: "test", output: tmp.path, totalSteps: 40, checkpointEvery: 100, lossTitle: "LOSS", quiet: true)
        try loop.run(FakeTrainer(step: 20) { _ in 0.5 }, resumed: true, start: Date()) { _ in }
        #expect(GeneratorTrainingLoop.readLog(tmp.path + "/log.jsonl").map(\.step) == [10, 20, 30, 40])
        #expect(GeneratorTrainingLoop.readLog(tmp.path + "/log.jsonl").map(\.loss) == [1, 1, 0.5, 0.5])
    }
}
