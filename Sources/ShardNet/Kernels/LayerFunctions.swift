import Foundation

/// An elementwise function a layer's kernels apply to z, and its derivative in terms of the
/// activation a = f(z) (what backpropagation keeps): the kernels' `act` argument.
enum Nonlinearity: Sendable {
    case sigmoid, tanh, relu
    /// f(z) = z: a softmax output layer's kernels leave z, and the softmax follows.
    case identity

    init(_ activation: Activation) {
        switch activation {
        case .sigmoid: self = .sigmoid
        case .tanh: self = .tanh
        case .relu: self = .relu
        }
    }

    /// f(z) on the BLAS path (the native kernels compute their own, `sn_activate`).
    @inline(__always)
    func apply(_ z: Float) -> Float {
        switch self {
        case .sigmoid: return 1 / (1 + Foundation.exp(-z))
        case .tanh: return Foundation.tanh(z)
        case .relu: return z > 0 ? z : 0
        case .identity: return z
        }
    }

    /// f′(z) from a = f(z): a(1 − a), 1 − a², [a > 0] or 1 (the native kernels' `sn_derivative`).
    @inline(__always)
    func derivative(_ a: Float) -> Float {
        switch self {
        case .sigmoid: return a * (1 - a)
        case .tanh: return 1 - a * a
        case .relu: return a > 0 ? 1 : 0
        case .identity: return 1
        }
    }
}

/// What every layer of a network applies: the hidden activation for layers 0 … L−2 and the
/// output layer's function for layer L−1 (0-based, as everywhere in the code; the book's
/// layers 2 … L). A trivial value, read by the worker threads.
struct LayerFunctions: Sendable {
    let hidden: Nonlinearity
    /// The last layer's kernels' function: sigmoid, or identity for a softmax.
    let output: Nonlinearity
    /// Whether a softmax follows the last layer's kernels.
    let softmax: Bool

    init(activation: Activation, outputLayer: OutputLayer) {
        hidden = Nonlinearity(activation)
        output = outputLayer == .softmax ? .identity : .sigmoid
        softmax = outputLayer == .softmax
    }

    /// Chapters 1–2: sigmoid everywhere.
    static let sigmoid = LayerFunctions(activation: .sigmoid, outputLayer: .sigmoid)

    /// The function of layer l of `layerCount`.
    @inline(__always)
    func layer(_ l: Int, of layerCount: Int) -> Nonlinearity { l == layerCount - 1 ? output : hidden }
}
