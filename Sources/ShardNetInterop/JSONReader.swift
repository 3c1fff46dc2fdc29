import Foundation
import ShardNet

/// A JSON value read from an untrusted file, with the path to it (`config.layers[1].units`) so
/// that every error names the object at fault.
struct JSONNode {
    let value: Any
    let path: String
    let file: String

    /// Parses `data`; refuses nesting deeper than `maxDepth` before the parser sees it (a
    /// recursive parser on a hostile "[[[[…" would exhaust the stack).
    static func parse(_ data: Data, file: String, object: String, maxDepth: Int = 64) throws -> JSONNode {
        var depth = 0, inString = false, escaped = false
        for byte in data {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maxDepth {
                    throw ShardNetError.invalidFile(path: file, object: object, reason: "JSON nested deeper than \(maxDepth) levels")
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            let what = data.isEmpty ? "is empty" : "is not valid JSON (truncated or damaged?)"
            throw ShardNetError.invalidFile(path: file, object: object, reason: what)
        }
        return JSONNode(value: value, path: object, file: file)
    }

    func fail(_ reason: String) -> ShardNetError {
        ShardNetError.invalidFile(path: file, object: path, reason: reason)
    }

    private var typeName: String {
        switch value {
        case is NSNull: return "null"
        case is String: return "a string"
        case is [Any]: return "an array"
        case is [String: Any]: return "an object"
        case let n as NSNumber: return n.isBool ? "a boolean" : "a number"
        default: return "an unknown value"
        }
    }

    var isNull: Bool { value is NSNull }

    /// Member `key` of an object (required).
    subscript(key: String) -> JSONNode {
        get throws {
            guard let object = value as? [String: Any] else { throw fail("is \(typeName); expected an object") }
            guard let member = object[key] else { throw fail("has no '\(key)' key") }
            return JSONNode(value: member, path: path + "." + key, file: file)
        }
    }

    /// Member `key`, or nil when absent.
    func optional(_ key: String) throws -> JSONNode? {
        guard let object = value as? [String: Any] else { throw fail("is \(typeName); expected an object") }
        return object[key].map { JSONNode(value: $0, path: path + "." + key, file: file) }
    }

    func string() throws -> String {
        guard let s = value as? String else { throw fail("is \(typeName); expected a string") }
        return s
    }

    func array(maxCount: Int = Int.max) throws -> [JSONNode] {
        guard let a = value as? [Any] else { throw fail("is \(typeName); expected an array") }
        guard a.count <= maxCount else { throw fail("has \(a.count) entries; at most \(maxCount) are accepted") }
        return a.enumerated().map { JSONNode(value: $1, path: "\(path)[\($0)]", file: file) }
    }

    /// A whole number in `range`.
    func int(in range: ClosedRange<Int>) throws -> Int {
        guard let n = value as? NSNumber, !n.isBool else { throw fail("is \(typeName); expected an integer") }
        let d = n.doubleValue
        guard d.isFinite, d.rounded() == d, d >= Double(range.lowerBound), d <= Double(range.upperBound) else {
            throw fail("is \(n); expected an integer in \(range.lowerBound)…\(range.upperBound)")
        }
        return Int(d)
    }

    /// A number representable as a finite Float.
    func float() throws -> Float {
        guard let n = value as? NSNumber, !n.isBool else { throw fail("is \(typeName); expected a number") }
        let f = Float(n.doubleValue)
        guard f.isFinite else { throw fail("is \(n.doubleValue); parameters must be finite") }
        return f
    }

    /// An array of exactly `count` finite numbers.
    func floats(count: Int) throws -> [Float] {
        guard let a = value as? [Any] else { throw fail("is \(typeName); expected an array of \(count) numbers") }
        guard a.count == count else { throw fail("has \(a.count) entries; expected \(count)") }
        var out = [Float]()
        out.reserveCapacity(count)
        for (i, v) in a.enumerated() {
            guard let n = v as? NSNumber, !n.isBool else { throw JSONNode(value: v, path: "\(path)[\(i)]", file: file).fail("is not a number") }
            let f = Float(n.doubleValue)
            guard f.isFinite else {
                throw JSONNode(value: v, path: "\(path)[\(i)]", file: file).fail("is \(n.doubleValue); parameters must be finite")
            }
            out.append(f)
        }
        return out
    }
}

extension NSNumber {
    /// True for JSON's true/false (Foundation bridges them to NSNumber of type char).
    var isBool: Bool {
        #if canImport(Darwin)
            return CFGetTypeID(self) == CFBooleanGetTypeID()
        #else
            return String(cString: objCType) == "c"
        #endif
    }
}

/// Reads at most `limit` bytes of a file; a larger file is refused before it is read.
func readFileLimited(_ path: String, limit: Int, object: String = "/") throws -> Data {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw ShardNetError.io(path: path, reason: "no such file")
    }
    guard !isDirectory.boolValue else { throw ShardNetError.io(path: path, reason: "is a folder, not a file") }
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    guard size <= limit else {
        throw ShardNetError.invalidFile(path: path, object: object, reason: "is \(size) bytes; at most \(limit) are accepted")
    }
    do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
        throw ShardNetError.io(path: path, reason: "cannot read: \(error.localizedDescription)")
    }
}
