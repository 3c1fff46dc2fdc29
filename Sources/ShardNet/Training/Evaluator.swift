/// Feedforward over whole data sets in parallel: accuracy (argmax of the output layer
/// against the label), mean cost, and raw outputs.
///
/// The set is cut into fixed chunks of `chunkRows` samples; threads take chunks from a shared
/// counter, and per-chunk results are added in chunk order, so the figures are identical for
/// any thread count. Workspaces are allocated once per evaluator.
public final class Evaluator {
    public let layout: ParameterLayout
    public let threads: Int
    public let chunkRows: Int
    private let layoutView: LayoutView
    private let workspaces: [ShardWorkspace]
    private let views: ShardViews
    private let team: WorkerTeam
    private let kernels: KernelSet
    private let packed: PackedWeights?

    /// An evaluator on `threads` threads with the fastest native kernels of this CPU.
    public convenience init(layout: ParameterLayout, threads: Int, chunkRows: Int = 256) {
        self.init(layout: layout, threads: threads, chunkRows: chunkRows, kernels: KernelSet.best)
    }

    /// An evaluator on `threads` threads with the chosen kernels; throws when the CPU cannot
    /// run them.
    public convenience init(layout: ParameterLayout, threads: Int, chunkRows: Int = 256, kernels: KernelChoice) throws {
        self.init(
            layout: layout, threads: threads, chunkRows: chunkRows,
            kernels: try KernelSet.checked(kernels, layout: layout, rows: chunkRows))
    }

    package init(layout: ParameterLayout, threads: Int, chunkRows: Int = 256, kernels: KernelSet) {
        precondition(threads >= 1 && chunkRows >= 1)
        self.kernels = kernels
        packed = kernels.usesPackedWeights ? PackedWeights(layout: layout) : nil
        self.layout = layout
        self.threads = threads
        self.chunkRows = chunkRows
        layoutView = LayoutView(layout)
        workspaces = (0..<threads).map { _ in ShardWorkspace(layout: layout, rows: chunkRows, gradients: false) }
        views = ShardViews(workspaces)
        team = WorkerTeam(threads: threads)
    }

    /// Accuracy and mean cost of `network` on `data`.
    public func evaluate(_ network: Network, on data: DataSet) -> Evaluation {
        precondition(network.sizes == layout.sizes && data.features == layout.sizes[0])
        let chunks = (data.count + chunkRows - 1) / chunkRows
        let correct = ScalarSlots(count: chunks), cost = ScalarSlots(count: chunks)
        let outputs = layout.sizes.last!, features = layout.sizes[0]
        let parameters = network.storage.base
        kernels.packAll(layout: layoutView, parameters: parameters, packed: packed)
        data.withUnsafePointers { images, labels in
            team.forEach(items: chunks) { w, c in
                let r0 = c * chunkRows, rows = min(chunkRows, data.count - r0)
                let view = views.base[w]
                let out = forward(
                    view: view, rows: rows, images: images.advanced(byRows: r0, features: features), parameters: parameters,
                    functions: network.layerFunctions)
                var right = 0
                for r in 0..<rows where Layers.argmax(out + r * outputs, count: outputs) == Int(labels[r0 + r]) {
                    right += 1
                }
                correct[c] = Double(right)
                cost[c] = NativeKernels.outputError(
                    cost: network.cost, rows: rows, nOut: outputs, output: out,
                    labels: labels + r0, delta: view.delta0)
            }
        }
        var right = 0, total = 0.0
        for c in 0..<chunks {
            right += Int(correct[c])
            total += cost[c]
        }
        return Evaluation(correct: right, total: data.count, cost: data.count > 0 ? total / Double(data.count) : 0)
    }

    /// Output activations aᴸ (a softmax's probabilities for a softmax output layer) for `count` samples in `images` ((count, sizes[0]) row-major):
    /// returns (count, sizes.last) row-major.
    public func outputs(_ network: Network, images: [Float], count: Int) -> [Float] {
        precondition(network.sizes == layout.sizes && images.count == count * layout.sizes[0])
        let width = layout.sizes.last!, features = layout.sizes[0]
        guard count > 0 else { return [] }
        var result = [Float](repeating: 0, count: count * width)
        let chunks = (count + chunkRows - 1) / chunkRows
        let parameters = network.storage.base
        kernels.packAll(layout: layoutView, parameters: parameters, packed: packed)
        images.withUnsafeBufferPointer { images in
            result.withUnsafeMutableBufferPointer { result in
                let (images, out) = (images.baseAddress!, result.baseAddress!)
                team.forEach(items: chunks) { w, c in
                    let r0 = c * chunkRows, rows = min(chunkRows, count - r0)
                    let a = forward(
                        view: views.base[w], rows: rows, images: .float32(images + r0 * features), parameters: parameters,
                        functions: network.layerFunctions)
                    (out + r0 * width).update(from: a, count: rows * width)
                }
            }
        }
        return result
    }

    /// Copies `rows` consecutive samples into the worker's input matrix (uint8 scaled to [0, 1]
    /// there, as `Gather` does) and feeds them forward; returns the output activations aᴸ,
    /// (rows, sizes.last), inside the worker's workspace.
    private func forward(
        view: ShardView, rows: Int, images: ImageRows,
        parameters: UnsafePointer<Float>, functions: LayerFunctions
    ) -> UnsafeMutablePointer<Float> {
        images.copy(at: 0, count: rows * layoutView.sizes[0], into: view.activations[0])
        FeedForward.network(
            view: view, layout: layoutView, functions: functions, rows: rows, parameters: parameters, kernels: kernels,
            packed: packed)
        return view.activations[layoutView.layerCount]
    }
}
