/// TorchScript archives (`torch.jit.save`): the zip layout plus `code/` and `constants.pkl`.
///
/// Their `data.pkl` pickles the module tree as `__torch__.…` class instances. Only in these archives
/// does the pickle machine accept such globals, and then only as inert records (`PickleObject`) whose
/// BUILD state is walked for tensors (`_model.encoder.0.weight`). The code is never read.
enum TorchScript {
    static func isTorchScript(_ archive: ZipArchive, folder: String) -> Bool {
        archive.entry(named: folder + "/constants.pkl") != nil
            || archive.entries.contains { $0.name.hasPrefix(folder + "/code/") }
    }
}
