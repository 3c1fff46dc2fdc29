/// How the synthetic data's pixels are stored, as a real data set's would be: `float32` (one
/// float per pixel, the bench's long-standing default) or `uint8` (one byte per pixel, the form
/// `shardnet convert` gives MNIST-style IDX data, converted to [0, 1] as each batch is gathered).
/// The storage changes what a step's gather reads and converts, not the arithmetic after it.
public enum SyntheticPixels: String, Sendable, Codable, CaseIterable {
    case float32
    case uint8
}
