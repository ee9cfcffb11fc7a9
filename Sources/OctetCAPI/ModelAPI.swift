import COctetAPI
import Octet
import OctetIR

// octet_open, the descriptions of inputs and outputs, octet_run and octet_close (see octet.h).

@_cdecl("octet_open")
public func capiOpen(_ path: UnsafePointer<CChar>?, _ target: octet_target, _ threads: Int32,
                     _ model: UnsafeMutablePointer<OpaquePointer?>?) -> octet_status {
    withStatus(failure: OCTET_BAD_FILE) {
        let out = try requiredPointer(model, "model")
        out.pointee = nil
        let file = try requiredString(path, "path")
        let options: SessionOptions
        switch target {
        case OCTET_TARGET_CPU: options = SessionOptions(target: .cpu, threads: try threadCount(threads))
        case OCTET_TARGET_CUDA:
            throw APIError(status: OCTET_UNSUPPORTED, message: "target cuda: this build of octet has no CUDA backend yet")
        default: throw APIError.invalid("target must be OCTET_TARGET_CPU or OCTET_TARGET_CUDA, got \(target.rawValue)")
        }
        let session = try Session(.onnx(path: file), options: options)
        out.pointee = ModelHandles.add(OpenModel(session: session))
    }
}

@_cdecl("octet_input_count")
public func capiInputCount(_ model: OpaquePointer?, _ count: UnsafeMutablePointer<Int>?) -> octet_status {
    withStatus(failure: OCTET_FAILED) {
        let out = try requiredPointer(count, "count")
        out.pointee = try ModelHandles.get(model).session.inputs.count
    }
}

@_cdecl("octet_output_count")
public func capiOutputCount(_ model: OpaquePointer?, _ count: UnsafeMutablePointer<Int>?) -> octet_status {
    withStatus(failure: OCTET_FAILED) {
        let out = try requiredPointer(count, "count")
        out.pointee = try ModelHandles.get(model).session.outputs.count
    }
}

@_cdecl("octet_input_info")
public func capiInputInfo(_ model: OpaquePointer?, _ index: Int, _ info: UnsafeMutablePointer<octet_value_info>?)
    -> octet_status {
    withStatus(failure: OCTET_FAILED) {
        let out = try requiredPointer(info, "info")
        let open = try ModelHandles.get(model)
        let inputs = open.session.inputs
        guard index >= 0 && index < inputs.count else {
            throw APIError.invalid("input index \(index) is out of range: the model has \(inputs.count) input(s)")
        }
        out.pointee = TensorBridge.info(inputs[index], name: open.inputNames[index])
    }
}

@_cdecl("octet_output_info")
public func capiOutputInfo(_ model: OpaquePointer?, _ index: Int, _ info: UnsafeMutablePointer<octet_value_info>?)
    -> octet_status {
    withStatus(failure: OCTET_FAILED) {
        let out = try requiredPointer(info, "info")
        let open = try ModelHandles.get(model)
        let outputs = open.session.outputs
        guard index >= 0 && index < outputs.count else {
            throw APIError.invalid("output index \(index) is out of range: the model has \(outputs.count) output(s)")
        }
        out.pointee = TensorBridge.info(outputs[index], name: open.outputNames[index])
    }
}

@_cdecl("octet_run")
public func capiRun(_ model: OpaquePointer?, _ inputs: UnsafePointer<octet_tensor>?, _ inputCount: Int,
                    _ outputs: UnsafeMutablePointer<octet_tensor>?, _ outputCount: Int) -> octet_status {
    withStatus(failure: OCTET_FAILED) {
        let session = try ModelHandles.get(model).session
        let declaredInputs = session.inputs, declaredOutputs = session.outputs
        guard inputCount == declaredInputs.count else {
            throw APIError.invalid("the model takes \(declaredInputs.count) input(s), got \(inputCount)")
        }
        guard inputCount == 0 || inputs != nil else { throw APIError.invalid("inputs is NULL") }
        guard outputCount >= 0 && outputCount <= declaredOutputs.count else {
            throw APIError.invalid("the model has \(declaredOutputs.count) output(s), asked for \(outputCount)")
        }
        guard outputCount == 0 || outputs != nil else { throw APIError.invalid("outputs is NULL") }

        // Names first, so a call that names an input twice is refused before any data is read.
        let targets = try (0..<inputCount).map { i in
            try resolve(inputs![i].name, position: i, in: declaredInputs, kind: "input")
        }
        var seen = Set<String>()
        for input in targets where !seen.insert(input.name).inserted {
            throw APIError.invalid("input \"\(input.name)\" is given twice")
        }
        var feeds: [String: Tensor] = [:]
        for (i, input) in targets.enumerated() { feeds[input.name] = try TensorBridge.tensor(inputs![i], for: input) }
        let wanted = try (0..<outputCount).map { i in
            try resolve(outputs![i].name, position: i, in: declaredOutputs, kind: "output").name
        }
        let results = try session.run(feeds)
        for (i, name) in wanted.enumerated() {
            guard let tensor = results[name] else {
                throw APIError(status: OCTET_FAILED, message: "the model produced no output \"\(name)\"")
            }
            try TensorBridge.write(tensor, name: name, into: &outputs![i])
        }
    }
}

/// The declared input or output a tensor names (or stands at the position of, when unnamed).
private func resolve(_ name: UnsafePointer<CChar>?, position: Int, in declared: [ValueInfo], kind: String) throws
    -> ValueInfo {
    if let name {
        let text = String(cString: name)
        guard let match = declared.first(where: { $0.name == text }) else {
            throw APIError.invalid("the model has no \(kind) \"\(text)\" (\(kind)s: "
                + declared.map(\.name).joined(separator: ", ") + ")")
        }
        return match
    }
    return declared[position]
}

@_cdecl("octet_close")
public func capiClose(_ model: OpaquePointer?) -> octet_status {
    withStatus(failure: OCTET_FAILED) { try ModelHandles.remove(model) }
}
