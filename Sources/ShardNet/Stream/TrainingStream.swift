import Foundation

/// A dataset file's training split, streamed instead of loaded: a prefetch thread owns every
/// HDF5 call the stream makes (opening the file included), reads the split in pieces aligned
/// to `EpochOrder.blockRows`-row blocks (the chunks `convert` writes), and gathers each run of
/// steps' samples, in the epoch order, into one of two run buffers while the trainer trains on
/// the other (`Trainer.train(streaming:…)`).
///
/// Memory: the labels ((n) Int32), at most two shuffle windows of pixels ((W, features) uint8
/// each; one window of n rows when W ≥ n), two run buffers ((stepsPerRun · m, features) uint8
/// each) and the epoch order ((n) Int32) — not the split. The order is `EpochOrder`'s, so a
/// streamed run gives the weights of an in-memory run with the same shuffle window, bit for bit.
///
///     let stream = try TrainingStream(path: "big.h5")
///     try trainer.useShuffleWindow(EpochOrder.defaultWindow)
///     try trainer.train(streaming: stream, evaluatingOn: stream.test, epochs: 1)
public final class TrainingStream {
    /// Training samples held in memory from the split's start (`head`).
    public static let headRows = 4_096

    /// The dataset file.
    public let path: String
    /// n: samples streamed per epoch.
    public let count: Int
    /// Values per sample.
    public let features: Int
    /// The file's class count.
    public let classes: Int
    /// The HDF5 chunk shape of /train/images (nil: contiguous storage).
    public let chunks: [Int]?
    /// Whether /train/images is gzip-compressed (every read then inflates whole chunks).
    public let compressed: Bool
    /// The first min(n, `headRows`) training samples, in memory: for checks, thread calibration
    /// and a training-accuracy estimate.
    public let head: DataSet
    /// The /test split, in memory (nil when the file has none).
    public let test: DataSet?

    /// The split's pixels as uint8 bytes, n × features: what loading it would take.
    public var splitBytes: Int { count * features }

    private let mailbox = StreamMailbox()
    private var token = 0
    private var closed = false

    /// Opens `path` on a new prefetch thread and waits until it has validated /train, read its
    /// labels and first samples, and loaded /test. `limit`: stream the first samples only.
    /// Throws the file's problem (`ShardNetError`), naming file and object.
    public init(path: String, limit: Int? = nil) throws {
        self.path = path
        let mailbox = self.mailbox
        let headRows = Self.headRows
        let thread = Thread {
            var reader: StreamReader?
            do {
                let (opened, header) = try StreamReader.open(path: path, limit: limit, headRows: headRows)
                reader = opened
                mailbox.locked { mailbox.opened = .success(header) }
            } catch {
                let failure = error as? ShardNetError ?? .io(path: path, reason: "\(error)")
                mailbox.locked { mailbox.opened = .failure(failure) }
            }
            mailbox.condition.broadcast()
            reader?.serve(mailbox)
            reader = nil  // closes the file on this thread
            mailbox.locked { mailbox.finished = true }
            mailbox.condition.broadcast()
        }
        thread.name = "shardnet-prefetch"
        thread.start()
        mailbox.condition.lock()
        while mailbox.opened == nil { mailbox.condition.wait() }
        let opened = mailbox.opened!
        mailbox.condition.unlock()
        let header: StreamHeader
        do {
            header = try opened.get()
        } catch {
            closed = true
            mailbox.locked { mailbox.closing = true }
            throw error
        }
        count = header.count
        features = header.features
        classes = header.classes
        chunks = header.chunks
        compressed = header.compressed
        head = header.head
        test = header.test
    }

    deinit { close() }

    /// Stops the prefetch thread and waits until it has closed the file. Idempotent.
    public func close() {
        guard !closed else { return }
        closed = true
        mailbox.condition.lock()
        mailbox.closing = true
        mailbox.condition.broadcast()
        while !mailbox.finished { mailbox.condition.wait() }
        mailbox.condition.unlock()
    }

    /// Seconds the trainer has waited for the prefetch thread so far.
    public var waitSeconds: Double { mailbox.locked { mailbox.waitSeconds } }

    /// Runs `body` while the prefetch thread makes no HDF5 call (e.g. to save a checkpoint).
    public func exclusively<R>(_ body: () throws -> R) rethrows -> R {
        mailbox.hdf5.lock()
        defer { mailbox.hdf5.unlock() }
        return try body()
    }

    /// Starts gathering an epoch: `order` and `layout` from `EpochOrder.draw`, runs of
    /// `stepsPerRun` steps of m samples from `firstStep` on. Buffers of an earlier plan are
    /// dropped. Creates the two run buffers the first time.
    package func begin(
        order: [Int32], layout: EpochOrder.Layout, window: Int?, miniBatchSize: Int, firstStep: Int, stepsPerRun: Int
    ) {
        precondition(order.count == count)
        token += 1
        let plan = StreamPlan(
            token: token, order: order, layout: layout, window: min(window ?? count, count),
            miniBatchSize: miniBatchSize, firstStep: firstStep, steps: (count + miniBatchSize - 1) / miniBatchSize,
            stepsPerRun: stepsPerRun)
        mailbox.condition.lock()
        if token == 1 {
            let rows = min(count, stepsPerRun * miniBatchSize)
            for _ in 0..<2 {
                var buffer = RunBuffer()
                buffer.images.reserveCapacity(rows * features)
                buffer.labels.reserveCapacity(rows)
                mailbox.free.append(buffer)
            }
        }
        while let stale = mailbox.filled.popLast() { mailbox.free.append(stale) }
        mailbox.failure = nil
        mailbox.plan = plan
        mailbox.condition.broadcast()
        mailbox.condition.unlock()
    }

    /// Drops the current plan and waits until the prefetch thread is idle: after it returns the
    /// stream makes no HDF5 call until the next `begin`.
    package func halt() {
        mailbox.condition.lock()
        mailbox.plan = nil
        while let stale = mailbox.filled.popLast() { mailbox.free.append(stale) }
        mailbox.condition.broadcast()
        while mailbox.busy { mailbox.condition.wait() }
        mailbox.condition.unlock()
    }

    /// The next filled run buffer of the current plan, waiting for the prefetch thread if it is
    /// behind; throws what the prefetch thread failed with.
    package func next() throws -> RunBuffer {
        mailbox.condition.lock()
        defer { mailbox.condition.unlock() }
        var waitedSince: UInt64?
        while mailbox.filled.isEmpty && mailbox.failure == nil {
            if waitedSince == nil { waitedSince = DispatchTime.now().uptimeNanoseconds }
            mailbox.condition.wait()
        }
        if let since = waitedSince { mailbox.waitSeconds += Double(DispatchTime.now().uptimeNanoseconds - since) * 1e-9 }
        if let failure = mailbox.failure { throw failure }
        return mailbox.filled.removeFirst()
    }

    /// Hands a buffer back to be filled again; pass it with `consume` so it is not copied.
    package func recycle(_ buffer: consuming RunBuffer) {
        mailbox.condition.lock()
        mailbox.free.append(buffer)
        mailbox.condition.broadcast()
        mailbox.condition.unlock()
    }
}
