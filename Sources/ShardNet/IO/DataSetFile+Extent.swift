import HDF5

extension DataSetFile {
    /// The extent of `path`'s /train/images — samples and bytes per sample — read from its
    /// metadata alone; nil when the file is not a readable dataset (loading it says why).
    public static func trainExtent(path: String) -> (count: Int, bytesPerSample: Int)? {
        guard let file = try? File(path, mode: .read), (try? file.kind(of: "train")) == .group,
            let train = try? file.group("train"), (try? train.kind(of: "images")) == .dataset,
            let images = try? train.dataset("images"), let count = images.shape.first
        else { return nil }
        return (count, images.rowLength * images.elementType.size)
    }
}
