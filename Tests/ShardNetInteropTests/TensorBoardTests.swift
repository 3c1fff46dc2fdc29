import Foundation
import Testing

@testable import ShardNetInterop

@Suite struct TensorBoardTests {
    // Property: the writer's file is a valid TFRecord stream whose first event carries
    // "brain.Event:2" and whose later events carry each scalar with its tag, step and value.
    @Test func eventFileDecodes() throws {
        let folder = try Interop.folder()
        defer { Interop.remove(folder) }
        let writer = try TensorBoardWriter(directory: folder.path)
        try writer.add(scalar: "test/accuracy", value: 0.875, step: 1)
        try writer.add(scalar: "train/cost", value: 0.25, step: 2)
        try writer.flush()
        #expect(URL(fileURLWithPath: writer.path).lastPathComponent.hasPrefix("events.out.tfevents."))
        let records = try TFRecord.records(try Data(contentsOf: URL(fileURLWithPath: writer.path)))
        #expect(records.count == 3)
        let events = try records.map { try Tensorboard_Event(serializedBytes: $0) }
        #expect(events[0].fileVersion == "brain.Event:2")
        #expect(events[1].step == 1 && events[1].summary.value[0].tag == "test/accuracy" && events[1].summary.value[0].simpleValue == 0.875)
        #expect(events[2].step == 2 && events[2].summary.value[0].tag == "train/cost" && events[2].summary.value[0].simpleValue == 0.25)
        // A second writer in the same folder and second gets its own file.
        let second = try TensorBoardWriter(directory: folder.path)
        #expect(second.path != writer.path)
    }

    // Property: TensorBoard's own reader (EventAccumulator) finds every scalar that
    // `shardnet train --tensorboard DIR` writes, one value per epoch.
    @Test(.enabled(if: Interop.hasTensorBoard, "needs python3 with tensorboard (pip install tensorboard)"))
    func tensorBoardReadsTrainingScalars() throws {
        let folder = try Interop.folder()
        defer { Interop.remove(folder) }
        let logdir = folder.appendingPathComponent("runs/tb").path
        let t = try Interop.tool([
            "train", "--epochs", "3", "--limit", "500", "--output", folder.appendingPathComponent("m.h5").path,
            "--tensorboard", logdir, "--threads", "1", "--quiet",
        ])
        try #require(t.status == 0, "\(t.all)")
        let r = try Interop.python([Interop.script("keras_interop.py"), "scalars", logdir])
        try #require(r.status == 0, "\(r.all)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: [[Double]]])
        let tags = ["train/cost", "train/accuracy", "test/cost", "test/accuracy", "speed/samples_per_second", "speed/eta_seconds"]
        for tag in tags {
            let points = try #require(json[tag], "missing \(tag) in \(json.keys.sorted())")
            #expect(points.map { $0[0] } == [1, 2, 3], "\(tag): \(points)")
        }
        #expect(json["speed/eta_seconds"]!.last![1] == 0)
        #expect(json["test/accuracy"]!.allSatisfy { (0...1).contains($0[1]) })
        print("tensorboard EventAccumulator read back: " + tags.map { "\($0) \(json[$0]!.map { $0[1] })" }.joined(separator: "; "))
    }
}
