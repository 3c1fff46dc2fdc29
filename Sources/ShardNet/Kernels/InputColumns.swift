/// The inputs of a layer that are not ±0 in some row of a batch (`NativeKernels.nonzeroColumns`),
/// which the native forward and packed update may restrict themselves to: a term x·w with
/// x = ±0 leaves a multiply-add chain as it is, so skipping it changes no bit for finite
/// weights. A batch of ten MNIST digits has about half its 784 pixel columns 0 in every image.
///
///     list  (count) Int32  ascending input indices
struct InputColumns {
    let list: UnsafePointer<Int32>
    let count: Int
}
