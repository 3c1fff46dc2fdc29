import Foundation
import HDF5

/// The prefetch thread's side of a `TrainingStream`: it opens the file, and makes every HDF5
/// call the stream needs. It holds the training labels ((n) Int32) and at most two windows of
/// pixels ((min(W, n), features) uint8 each; one when a window covers the split), and gathers
/// each run's samples from them into a free `RunBuffer`.
///
/// Windows are read in pieces: each piece is the part of one block (`EpochOrder.blockRows`
/// consecutive rows, a `convert` chunk) that lies in the window, one hyperslab read. While both
/// run buffers wait for the trainer, the thread reads the next window's pieces ahead, so the
/// trainer waits only when reading is slower than training.
final class StreamReader {
    let path: String
    let file: File
    let images: Dataset
    /// n.
    let count: Int
    let features: Int
    /// (n) class indices, validated.
    let labels: [Int32]

    /// A window's pixels and how much of it is read.
    private struct Slot {
        /// (plan token, window); token −1 marks a window that covers the split, valid for every plan.
        var key: (token: Int, window: Int) = (-2, -1)
        /// (capacity rows, features).
        var pixels: [UInt8] = []
        /// Rows of the window read so far, and rows it holds.
        var loaded = 0
        var rows = 0
        /// Index in the block sequence of the block holding the next row to read.
        var cursor = 0
        var complete: Bool { loaded == rows }
    }

    private var slots: [Slot] = []
    /// The mailbox's HDF5 lock, held around every read.
    private var gate: NSLock?

    private init(path: String, file: File, images: Dataset, count: Int, features: Int, labels: [Int32]) {
        self.path = path
        self.file = file
        self.images = images
        self.count = count
        self.features = features
        self.labels = labels
    }

    /// Opens `path`, validates /train (uint8 images, labels in range) and reads its labels, the
    /// first `headRows` samples and the /test split. `limit` streams the first samples only.
    static func open(path: String, limit: Int?, headRows: Int) throws -> (StreamReader, StreamHeader) {
        try HDF5ErrorMapping.run(path) {
            let file = try File(path, mode: .read)
            if try H5FileKind.detect(file) == .checkpoint { throw ShardNetError.wrongKind(path: path, found: .checkpoint) }
            func bad(_ object: String, _ reason: String) -> ShardNetError { .invalidFile(path: path, object: object, reason: reason) }
            guard try file.attrs.contains("classes") else {
                throw bad("/", "missing attribute 'classes'; add it, e.g. in h5py: f.attrs['classes'] = 10")
            }
            let classes = try file.attrs.int64("classes")
            guard classes >= 1, classes <= DataSetFile.maximumClasses else {
                throw bad("/", "attribute 'classes' is \(classes); expected 1...\(DataSetFile.maximumClasses)")
            }
            guard try file.kind(of: "train") == .group else {
                throw bad("/train", "missing; a dataset needs /train/images and /train/labels")
            }
            let train = try file.group("train")
            for member in ["images", "labels"] where try train.kind(of: member) != .dataset {
                throw bad("/train/\(member)", "missing; each split needs images and labels")
            }
            let images = try train.dataset("images"), labelSet = try train.dataset("labels")
            guard images.shape.count == 2 || images.shape.count == 3 else {
                throw bad(images.name, "has shape \(images.shape) (rank \(images.shape.count)); expected (N, features) or (N, rows, columns)")
            }
            guard images.elementType == .uint8 else {
                throw bad(
                    images.name,
                    "has dtype \(images.elementType); streaming reads uint8 images (0–255) — convert the split to uint8, or train in memory without --stream"
                )
            }
            let stored = images.shape[0], features = images.rowLength
            guard stored > 0, features > 0 else {
                throw bad(images.name, "has shape \(images.shape); a split needs at least one sample of at least one value")
            }
            guard stored <= Int(Int32.max) else { throw bad(images.name, "has \(stored) rows; a stream holds at most \(Int32.max) samples") }
            for ds in [images, labelSet] {
                let declared = ds.count * ds.elementType.size
                guard ds.storageSize > 0 && declared / 1100 <= ds.storageSize else {
                    throw bad(
                        ds.name,
                        "declares \(ds.shape) (\(declared) bytes) but stores only \(ds.storageSize) bytes in the file; the file is truncated or corrupt"
                    )
                }
            }
            guard labelSet.shape == [stored] else {
                throw bad(labelSet.name, "has shape \(labelSet.shape); expected (\(stored)), one label per row of \(images.name)")
            }
            guard labelSet.elementType.isInteger else {
                throw bad(labelSet.name, "has dtype \(labelSet.elementType); labels must be integers (uint8, int32, int64, …)")
            }
            let count = min(stored, limit ?? stored)
            let raw: [Int64] = try labelSet.readRows(0..<count)
            if let i = raw.firstIndex(where: { $0 < 0 || $0 >= classes }) {
                throw bad(labelSet.name, "label \(raw[i]) of sample \(i) is outside 0..<\(classes) (attribute 'classes' = \(classes))")
            }
            let labels = raw.map { Int32($0) }
            let headCount = min(count, headRows)
            let headPixels: [UInt8] = try images.readRows(0..<headCount)
            let head = try DataSet(
                bytes: headPixels, labels: Array(labels[0..<headCount]), features: features, classes: Int(classes), name: "\(path) /train")
            var test: DataSet?
            if let kind = try file.kind(of: "test") {
                guard kind == .group else { throw bad("/test", "is a \(kind); expected a group holding images and labels") }
                test = try DataSetFile.readSplit(try file.group("test"), classes: Int(classes), path: path)
                if test!.features != features {
                    throw bad("/test/images", "has \(test!.features) features per sample but /train/images has \(features)")
                }
            }
            let header = StreamHeader(
                count: count, features: features, classes: Int(classes), chunks: try images.chunks,
                compressed: try images.gzipLevel != nil, head: head, test: test)
            let reader = StreamReader(path: path, file: file, images: images, count: count, features: features, labels: labels)
            return (reader, header)
        }
    }

    /// The prefetch loop: fills free buffers for the current plan, in run order; reads ahead
    /// when none is free; returns when the mailbox is closing.
    func serve(_ mailbox: StreamMailbox) {
        gate = mailbox.hdf5
        var plan: StreamPlan?
        var nextStep = 0
        mailbox.condition.lock()
        while !mailbox.closing {
            if mailbox.plan == nil { plan = nil }
            if let current = mailbox.plan, current.token != plan?.token {
                plan = current
                nextStep = current.firstStep
                prepareSlots(for: current)
            }
            guard let p = plan, mailbox.failure == nil else {
                mailbox.condition.wait()
                continue
            }
            if nextStep < p.steps, !mailbox.free.isEmpty {
                var buffer = mailbox.free.removeLast()
                mailbox.busy = true
                mailbox.condition.unlock()
                let run = p.run(from: nextStep)
                var failure: ShardNetError?
                do { try fill(&buffer, plan: p, run: run) } catch { failure = Self.describe(error, path: path) }
                mailbox.condition.lock()
                mailbox.busy = false
                if let failure {
                    mailbox.failure = failure
                    mailbox.free.append(buffer)
                } else if mailbox.plan?.token == p.token {
                    mailbox.filled.append(buffer)
                    nextStep = run.upperBound
                } else {
                    mailbox.free.append(buffer)
                }
                mailbox.condition.broadcast()
                continue
            }
            if let window = pendingWindow(plan: p, nextStep: nextStep) {
                mailbox.busy = true
                mailbox.condition.unlock()
                var failure: ShardNetError?
                do { try readPiece(window: window, plan: p) } catch { failure = Self.describe(error, path: path) }
                mailbox.condition.lock()
                mailbox.busy = false
                if let failure { mailbox.failure = failure }
                mailbox.condition.broadcast()
                continue
            }
            mailbox.condition.wait()
        }
        mailbox.condition.unlock()
    }

    private static func describe(_ error: any Error, path: String) -> ShardNetError {
        if let error = error as? ShardNetError { return error }
        if let error = error as? HDF5Error { return HDF5ErrorMapping.map(error, path: path) }
        return .io(path: path, reason: "\(error)")
    }

    /// One slot per window when a window covers the split, else two of `window` rows.
    private func prepareSlots(for plan: StreamPlan) {
        let wanted = plan.windows == 1 ? 1 : 2
        let rows = min(plan.window, count)
        if slots.count != wanted || slots[0].pixels.count != rows * features {
            slots = (0..<wanted).map { _ in Slot(pixels: [UInt8](repeating: 0, count: rows * features)) }
        }
    }

    private func key(_ window: Int, plan: StreamPlan) -> (token: Int, window: Int) {
        plan.windows == 1 ? (-1, 0) : (plan.token, window)
    }

    /// The slot of `window`, claimed for it (and emptied) if it holds another.
    private func slot(_ window: Int, plan: StreamPlan) -> Int {
        let index = window % slots.count, k = key(window, plan: plan)
        if slots[index].key != k {
            let lower = window * plan.window
            slots[index].key = k
            slots[index].loaded = 0
            slots[index].rows = min(plan.count, lower + plan.window) - lower
            // The block holding position `lower`: the last in sequence order starting at or before it.
            var lo = 0, hi = plan.layout.sequence.count - 1
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if plan.layout.blockStarts[Int(plan.layout.sequence[mid])] <= lower { lo = mid } else { hi = mid - 1 }
            }
            slots[index].cursor = lo
        }
        return index
    }

    /// The window to read ahead: the one the next run starts in, else the one after it, if not
    /// yet fully read.
    private func pendingWindow(plan: StreamPlan, nextStep: Int) -> Int? {
        guard nextStep < plan.steps else { return nil }
        let first = plan.positions(plan.run(from: nextStep)).lowerBound / plan.window
        for window in first...min(first + 1, plan.windows - 1) {
            let index = window % slots.count
            if slots[index].key != key(window, plan: plan) || !slots[index].complete { return window }
        }
        return nil
    }

    /// Reads the next piece of `window` (the rows of one block that lie in it).
    private func readPiece(window: Int, plan: StreamPlan) throws {
        let index = slot(window, plan: plan)
        guard !slots[index].complete else { return }
        let B = EpochOrder.blockRows
        let position = window * plan.window + slots[index].loaded
        var block = Int(plan.layout.sequence[slots[index].cursor])
        var start = plan.layout.blockStarts[block]
        if position >= start + min(B, count - block * B) {
            slots[index].cursor += 1
            block = Int(plan.layout.sequence[slots[index].cursor])
            start = plan.layout.blockStarts[block]
        }
        let end = min(start + min(B, count - block * B), window * plan.window + slots[index].rows)
        let rows = end - position, fileRow = block * B + (position - start)
        let offset = slots[index].loaded * features
        gate?.lock()
        defer { gate?.unlock() }
        try slots[index].pixels.withUnsafeMutableBufferPointer { p in
            try images.readRows(fileRow..<(fileRow + rows), into: UnsafeMutableBufferPointer(rebasing: p[offset..<(offset + rows * features)]))
        }
        slots[index].loaded += rows
    }

    /// Gathers the samples of steps `run` into `buffer`, in epoch order, reading any window not
    /// yet read.
    private func fill(_ buffer: inout RunBuffer, plan: StreamPlan, run: Range<Int>) throws {
        let positions = plan.positions(run)
        buffer.resize(rows: positions.count, features: features)
        buffer.steps = run
        buffer.token = plan.token
        var p = positions.lowerBound
        while p < positions.upperBound {
            let window = p / plan.window
            let end = min(positions.upperBound, (window + 1) * plan.window)
            let index = slot(window, plan: plan)
            while !slots[index].complete { try readPiece(window: window, plan: plan) }
            let lower = window * plan.window, F = features, base = positions.lowerBound
            slots[index].pixels.withUnsafeBufferPointer { source in
                buffer.images.withUnsafeMutableBufferPointer { target in
                    buffer.labels.withUnsafeMutableBufferPointer { targetLabels in
                        plan.order.withUnsafeBufferPointer { order in
                            labels.withUnsafeBufferPointer { labels in
                                for q in p..<end {
                                    let s = Int(order[q])
                                    let row = plan.layout.position(ofSample: s) - lower
                                    (target.baseAddress! + (q - base) * F).update(from: source.baseAddress! + row * F, count: F)
                                    targetLabels[q - base] = labels[s]
                                }
                            }
                        }
                    }
                }
            }
            p = end
        }
    }
}
