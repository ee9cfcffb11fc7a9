/// The zip layout of `torch.save` (1.6 and later) and `torch.jit.save`: `<folder>/data.pkl` holds the
/// object, `<folder>/data/<key>` each storage's raw little-endian bytes.
enum ZipFormat {
    static func read(_ archive: ZipArchive) throws -> StateDict {
        // torch names the top folder after the file it wrote ("archive", "weights", a model name).
        guard let first = archive.entries.first, let slash = first.name.firstIndex(of: "/") else {
            throw FormatError("zip archive has no top folder: not a file torch.save or torch.jit.save wrote")
        }
        let folder = String(first.name[..<slash])
        guard let dataPickle = archive.entry(named: folder + "/data.pkl") else {
            if archive.entry(named: folder + "/model.json") != nil {
                throw FormatError("TorchScript archive of the pre-1.4 model.json layout is not supported")
            }
            throw FormatError("zip archive has no \(folder)/data.pkl: not a file torch.save or torch.jit.save wrote")
        }
        if let order = archive.entry(named: folder + "/byteorder") {
            let text = String(decoding: try archive.contents(of: order), as: UTF8.self)
            guard text == "little" else { throw FormatError("\(folder)/byteorder says '\(text)': only little-endian archives are read") }
        }
        let isTorchScript = TorchScript.isTorchScript(archive, folder: folder)

        let table = StorageTable()
        let loadStorage: (PickleValue) throws -> PickleValue = { pid in
            let value = try table.resolve(pid)
            guard case .storage(let slice) = value, slice.storage.bytes == nil else { return value }
            let name = "\(folder)/data/\(slice.storage.key)"
            guard let entry = archive.entry(named: name) else {
                throw FormatError("data.pkl refers to storage '\(slice.storage.key)', but the archive has no entry \(name)")
            }
            try slice.storage.attach(try archive.contents(of: entry), source: "entry \(name)")
            return value
        }
        var pickle = Unpickler(source: dataPickle.name, bytes: Array(try archive.contents(of: dataPickle)),
                               allowScriptClasses: isTorchScript, persistentLoad: loadStorage)
        defer { pickle.releaseValues() }
        let object = try pickle.load()
        var collector = TensorCollector(storageBytes: table.attachedBytes)
        try collector.collect(object)
        return collector.stateDict()
    }
}
