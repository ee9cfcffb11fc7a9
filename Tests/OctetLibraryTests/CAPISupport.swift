import COctetAPI
import Foundation
import OctetIR
import OctetTestSupport
import Testing

/// Helpers for calling the C API from Swift exactly as C does: through octet.h's declarations.
enum CAPI {
    static var lastError: String { String(cString: octet_last_error()) }

    static func open(_ path: String, threads: Int32 = 2) throws -> OpaquePointer {
        var model: OpaquePointer?
        let status = octet_open(path, OCTET_TARGET_CPU, threads, &model)
        try #require(status == OCTET_OK, "\(lastError)")
        return try #require(model)
    }

    /// A tensor descriptor over `bytes` (the caller keeps them alive while it is used).
    static func tensor(_ name: String? = nil, dtype: octet_dtype, shape: [Int64], data: UnsafeMutableRawPointer?,
                       bytes: Int) -> octet_tensor {
        var t = octet_tensor()
        t.name = nil
        t.dtype = dtype
        t.rank = Int32(shape.count)
        withUnsafeMutableBytes(of: &t.shape) { raw in
            let slots = raw.bindMemory(to: Int64.self)
            for (i, d) in shape.prefix(slots.count).enumerated() { slots[i] = d }
        }
        t.data = data
        t.bytes = bytes
        return t
    }

    static func shape(_ t: octet_tensor) -> [Int64] {
        withUnsafeBytes(of: t.shape) { Array($0.bindMemory(to: Int64.self).prefix(Int(max(t.rank, 0)))) }
    }

    static func shape(_ info: octet_value_info) -> [Int64] {
        withUnsafeBytes(of: info.shape) { Array($0.bindMemory(to: Int64.self).prefix(Int(max(info.rank, 0)))) }
    }

    /// Runs a single-input, single-output float model on `input`; returns the status and the output.
    static func runFloat(_ model: OpaquePointer, _ input: Tensor, capacity: Int = 1 << 16)
        -> (status: octet_status, values: [Float], shape: [Int64]) {
        var values = input.floatValues()
        var out = [Float](repeating: .nan, count: capacity)
        return values.withUnsafeMutableBytes { inBytes in
            out.withUnsafeMutableBytes { outBytes in
                var i = tensor(dtype: OCTET_FLOAT32, shape: input.shape.map(Int64.init), data: inBytes.baseAddress,
                               bytes: inBytes.count)
                var o = tensor(dtype: OCTET_DTYPE_UNKNOWN, shape: [], data: outBytes.baseAddress, bytes: outBytes.count)
                let status = octet_run(model, &i, 1, &o, 1)
                let n = status == OCTET_OK ? o.bytes / 4 : 0
                return (status, Array(outBytes.bindMemory(to: Float.self).prefix(n)), shape(o))
            }
        }
    }
}
