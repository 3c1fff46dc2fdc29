import Foundation

// What more than one test target needs (the targets cannot import each other): comparing
// big arrays and finding the repository. Nothing outside Tests/ depends on this target.

/// Comparing large byte or value arrays. `#expect(a == b)` on two big collections makes
/// Swift Testing build an element-by-element diff when they differ, which takes minutes for
/// a few hundred kilobytes; these compare in one pass and describe the first difference.
public enum Compare {
    /// nil when equal, else "lengths 10 vs 12, first difference at offset 3 (0x1f vs 0x20)".
    public static func difference<C: Collection>(_ a: C, _ b: C) -> String? where C.Element: Equatable {
        var offset = 0
        var i = a.startIndex, j = b.startIndex
        while i != a.endIndex && j != b.endIndex {
            if a[i] != b[j] {
                return "lengths \(a.count) vs \(b.count), first difference at offset \(offset) (\(a[i]) vs \(b[j]))"
            }
            offset += 1
            a.formIndex(after: &i)
            b.formIndex(after: &j)
        }
        return a.count == b.count ? nil : "lengths \(a.count) vs \(b.count), equal up to offset \(offset)"
    }

    /// Bitwise comparison of Float arrays (NaN payloads and signed zeros included).
    public static func bitDifference(_ a: [Float], _ b: [Float]) -> String? {
        difference(a.map(\.bitPattern), b.map(\.bitPattern))
    }
}

/// The repository root: the nearest folder above this source file holding Package.swift
/// (so moving test files between folders never breaks paths to scripts/ or data/).
public enum Repository {
    public static let root: URL = {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) { return folder }
            folder = folder.deletingLastPathComponent()
        }
        fatalError("no Package.swift above \(#filePath)")
    }()
}
