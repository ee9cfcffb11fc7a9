import Foundation

/// Image files with their labels: from class sub-folders, a `labels.tsv`, or an im2rec `.lst`.
public struct ImageList: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        /// The record id and `.idx` key (im2rec's `.lst` index; else the position in the list).
        public var index: UInt64
        public var labels: [Float]
        /// Path relative to `root`.
        public var path: String

        public init(index: UInt64, labels: [Float], path: String) {
            self.index = index
            self.labels = labels
            self.path = path
        }
    }

    /// The folder that entry paths are relative to.
    public var root: String
    public var entries: [Entry]
    /// Class names by label, for a list made from class sub-folders.
    public var classNames: [String]

    public init(root: String, entries: [Entry], classNames: [String] = []) {
        self.root = root
        self.entries = entries
        self.classNames = classNames
    }

    /// File name extensions taken as images (im2rec's defaults).
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]
    /// The most list-file bytes read.
    static let maxListBytes = 1 << 30

    public func fullPath(_ entry: Entry) -> String {
        entry.path.hasPrefix("/") ? entry.path : (root as NSString).appendingPathComponent(entry.path)
    }

    /// A `.lst` or `.tsv` file (entries relative to its folder), or a folder: its `labels.tsv` when it
    /// has one, else its class sub-folders, else its images with label 0 (as im2rec without `--recursive`).
    public static func load(path: String) throws(DataError) -> ImageList {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw DataError("no such file or folder") }
        let ext = (path as NSString).pathExtension.lowercased()
        let parent = (path as NSString).deletingLastPathComponent
        if !isDirectory.boolValue, ext == "lst" { return try lst(path: path, root: parent) }
        if !isDirectory.boolValue, ext == "tsv" { return try labelsTSV(path: path, root: parent) }
        guard isDirectory.boolValue else { throw DataError("expected a folder, a .lst or a .tsv image list") }
        let tsv = (path as NSString).appendingPathComponent("labels.tsv")
        if FileManager.default.fileExists(atPath: tsv) { return try labelsTSV(path: tsv, root: path) }
        return try folder(path)
    }

    /// Class sub-folders in sorted order give labels 0, 1, ... (folders without images get none, as
    /// im2rec's `--recursive` listing); files sorted within each. Images directly in `root` get label 0
    /// when there are no class folders.
    public static func folder(_ root: String) throws(DataError) -> ImageList {
        let names = try contents(of: root)
        var entries: [Entry] = []
        var classes: [String] = []
        for name in names where isDirectory((root as NSString).appendingPathComponent(name)) {
            let images = try contents(of: (root as NSString).appendingPathComponent(name)).filter(isImageName)
            guard !images.isEmpty else { continue }
            for image in images {
                entries.append(Entry(index: UInt64(entries.count), labels: [Float(classes.count)], path: name + "/" + image))
            }
            classes.append(name)
        }
        if entries.isEmpty {
            for image in names.filter(isImageName) where !isDirectory((root as NSString).appendingPathComponent(image)) {
                entries.append(Entry(index: UInt64(entries.count), labels: [0], path: image))
            }
        }
        guard !entries.isEmpty else { throw DataError("no images (.jpg, .jpeg, .png) in the folder or its class sub-folders") }
        return ImageList(root: root, entries: entries, classNames: classes)
    }

    /// `file<TAB>label[<TAB>name...]` lines, a header line allowed (as `imagenet-dev/labels.tsv`).
    public static func labelsTSV(path: String, root: String) throws(DataError) -> ImageList {
        var entries: [Entry] = []
        for (number, fields) in try lines(path) {
            guard fields.count >= 2 else { throw DataError("line \(number): expected 'file<TAB>label', found \(fields.count) field(s)") }
            guard let label = Float(fields[1]), label.isFinite else {
                if number == 1 { continue }  // a header
                throw DataError("line \(number): label '\(fields[1].prefix(40))' is not a number")
            }
            entries.append(Entry(index: UInt64(entries.count), labels: [label], path: fields[0]))
        }
        guard !entries.isEmpty else { throw DataError("no entries") }
        return ImageList(root: root, entries: entries)
    }

    /// im2rec's `.lst`: `index<TAB>label<TAB>...<TAB>path`.
    public static func lst(path: String, root: String) throws(DataError) -> ImageList {
        var entries: [Entry] = []
        var seen: [UInt64: Int] = [:]
        for (number, fields) in try lines(path) {
            guard fields.count >= 3 else {
                throw DataError("line \(number): expected 'index<TAB>label<TAB>path', found \(fields.count) field(s)")
            }
            guard let index = UInt64(fields[0]) else { throw DataError("line \(number): index '\(fields[0].prefix(40))' is not a non-negative integer") }
            var labels: [Float] = []
            for field in fields[1..<(fields.count - 1)] {
                guard let label = Float(field), label.isFinite else { throw DataError("line \(number): label '\(field.prefix(40))' is not a number") }
                labels.append(label)
            }
            if let first = seen[index] { throw DataError("line \(number): index \(index) repeats line \(first)") }
            seen[index] = number
            entries.append(Entry(index: index, labels: labels, path: fields[fields.count - 1]))
        }
        guard !entries.isEmpty else { throw DataError("no entries") }
        return ImageList(root: root, entries: entries)
    }

    /// Non-blank lines with their 1-based numbers, split at tabs, fields trimmed.
    private static func lines(_ path: String) throws(DataError) -> [(Int, [String])] {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        guard size <= maxListBytes else { throw DataError("\(size) bytes is over the \(maxListBytes >> 20) MiB limit for a list") }
        guard let data = FileManager.default.contents(atPath: path) else { throw DataError("cannot read the file") }
        guard let text = String(data: data, encoding: .utf8) else { throw DataError("not UTF-8 text") }
        var out: [(Int, [String])] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            out.append((i + 1, trimmed.split(separator: "\t", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }))
        }
        return out
    }

    private static func contents(of folder: String) throws(DataError) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            throw DataError("cannot list \(folder): \(error.localizedDescription)")
        }
    }

    private static func isDirectory(_ path: String) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
    }

    private static func isImageName(_ name: String) -> Bool {
        imageExtensions.contains((name as NSString).pathExtension.lowercased())
    }
}
