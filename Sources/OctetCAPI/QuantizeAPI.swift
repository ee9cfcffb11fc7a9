import COctetAPI
import Octet
import OctetData
import OctetQuant

// octet_quantize_options_init and octet_quantize (see octet.h).

@_cdecl("octet_quantize_options_init")
public func capiQuantizeOptionsInit(_ options: UnsafeMutablePointer<octet_quantize_options>?) -> octet_status {
    withStatus(failure: OCTET_FAILED) {
        let out = try requiredPointer(options, "options")
        var o = octet_quantize_options()
        o.mode = nil
        o.per_channel = 1
        o.samples = 100
        o.batch = 8
        o.image_size = 224
        o.preset = nil
        o.threads = 0
        o.progress = nil
        o.progress_user = nil
        out.pointee = o
    }
}

@_cdecl("octet_quantize")
public func capiQuantize(_ modelPath: UnsafePointer<CChar>?, _ calibrationPath: UnsafePointer<CChar>?,
                         _ outputPath: UnsafePointer<CChar>?, _ options: UnsafePointer<octet_quantize_options>?)
    -> octet_status {
    withStatus(failure: OCTET_BAD_FILE) {
        let model = try requiredString(modelPath, "model_path")
        let calibration = try requiredString(calibrationPath, "calibration_path")
        let output = try requiredString(outputPath, "output_path")
        var o = octet_quantize_options()
        if let options {
            o = options.pointee
        } else {
            _ = capiQuantizeOptionsInit(&o)
        }
        var config = QuantizationConfig()
        if let mode = o.mode {
            let text = String(cString: mode)
            guard let m = CalibrationMode(rawValue: text) else {
                throw APIError.invalid("mode must be one of \(CalibrationMode.allCases.map(\.rawValue).joined(separator: ", ")), "
                    + "got \"\(text)\"")
            }
            config.mode = m
        }
        config.perChannel = o.per_channel != 0
        guard o.samples >= 1 else { throw APIError.invalid("samples must be at least 1, got \(o.samples)") }
        guard (1...4096).contains(o.batch) else { throw APIError.invalid("batch must be 1 to 4096, got \(o.batch)") }
        guard (1...8192).contains(o.image_size) else {
            throw APIError.invalid("image_size must be 1 to 8192, got \(o.image_size)")
        }
        var preset = Preprocessing.Preset.torch
        if let p = o.preset {
            let text = String(cString: p)
            guard let value = Preprocessing.Preset(rawValue: text) else {
                throw APIError.invalid("preset must be one of \(Preprocessing.Preset.allCases.map(\.rawValue).joined(separator: ", ")), "
                    + "got \"\(text)\"")
            }
            preset = value
        }
        let threads = try threadCount(o.threads)
        let reporter = Reporter(progress: ProgressCallback(function: o.progress, user: o.progress_user).report)

        let graph = try ModelLoader.load(.onnx(path: model), threads: threads)
        let data = CalibrationData(path: calibration, preprocessing: Preprocessing(preset: preset, size: Int(o.image_size)),
                                   batch: Int(o.batch), samples: Int(o.samples))
        let result = try QuantizeJob(config: config, calibration: data, threads: threads, reporter: reporter)
            .run(graph, path: model)
        guard let best = result.candidates.first else {
            throw APIError(status: OCTET_FAILED, message: "\(model): quantization produced no model")
        }
        do {
            try ModelWriter.write(best.graph, to: output)
        } catch {
            throw APIError(status: OCTET_FAILED, message: String(describing: error))
        }
    }
}

/// The caller's progress function and its user pointer, called from the quantizing thread only.
private struct ProgressCallback: @unchecked Sendable {
    var function: octet_progress_fn?
    var user: UnsafeMutableRawPointer?

    func report(_ p: Reporter.Progress) {
        guard let function else { return }
        p.stage.withCString { function($0, Int64(p.done), Int64(p.total), user) }
    }
}
