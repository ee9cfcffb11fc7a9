import Foundation
import Octet
import OctetCPU
import OctetData

/// `octet pack DIR|LIST -o OUT.rec`: MXNet's im2rec — images into a RecordIO file and its index.
struct PackCommand: Command {
    static let name = "pack"
    static let summary = "pack images into an MXNet .rec/.idx, resized and re-encoded as im2rec does"
    static let help = """
        usage: octet pack DIR|LIST -o OUT.rec [--resize 256] [--quality 90] [--pass-through] [--pack-label]
                          [--skip-bad] [--threads N]

          DIR            a folder of class sub-folders (labels in sorted folder order), or of images with
                         a labels.tsv (file, class index); LIST: an im2rec .lst or a .tsv
          --resize N     shorter side resized to N (OpenCV bilinear), then JPEG at --quality (default 256)
          --quality Q    JPEG quality 1..100 (default 90)
          --pass-through store each file's bytes unchanged
          --pack-label   store every label of a multi-label .lst line
          --skip-bad     leave out unreadable images (listed) instead of stopping
        """

    var input: String
    var output: String
    var resize: Int
    var quality: Int
    var passThrough: Bool
    var packLabels: Bool
    var skipBad: Bool
    var threads: Int

    init(parsing arguments: inout Arguments) throws(UsageError) {
        guard let out = try arguments.option("output", short: "o") else { throw UsageError("give -o OUT.rec") }
        output = out
        resize = try arguments.int("resize", default: 256, range: 1...65535)
        quality = try arguments.int("quality", default: 90, range: 1...100)
        passThrough = arguments.flag("pass-through")
        packLabels = arguments.flag("pack-label")
        skipBad = arguments.flag("skip-bad")
        threads = try arguments.int("threads", default: CPUBackend.defaultThreads, range: 1...256)
        let rest = try arguments.positionals()
        guard rest.count == 1 else { throw UsageError("expected one DIR or LIST, got \(rest.count)") }
        input = rest[0]
    }

    func run() throws {
        let list: ImageList
        do { list = try ImageList.load(path: input) } catch { throw InputError(input, error) }
        guard !list.entries.isEmpty else { throw InputError(input, "no images found") }
        let packer = RecordPacker(encoding: passThrough ? .passThrough : .reencode(resize: resize, quality: quality),
                                  skipBad: skipBad, packLabels: packLabels, threads: threads)
        let bar = ProgressBar("packing", total: list.entries.count)
        let report: RecordPacker.Report
        do {
            report = try packer.pack(list, to: output, progress: { done, _ in bar.update(done) })
        } catch {
            bar.finish()
            throw InputError(input, error)
        }
        bar.finish()
        for message in report.skipped { printError("octet: warning: skipped \(message)") }
        let idx = (output as NSString).deletingPathExtension + ".idx"
        print(String(format: "packed %d images (%.2f MB) into %@ and %@", report.records,
                     Double(report.bytes) / 1_000_000, output, idx)
            + (report.skipped.isEmpty ? "" : ", \(report.skipped.count) skipped"))
    }
}
