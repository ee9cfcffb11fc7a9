import CCUDA
import Foundation

/// The CUDA driver, opened once per process with dlopen. Every driver result goes through `check`, so a
/// failure becomes a `CUDAError` with the driver's own name and description of the error.
public enum Driver {
    /// The library to open: `OCTET_LIBCUDA` when set (tests point it at a missing or a fake library), else
    /// the driver's soname.
    static var libraryPath: String { ProcessInfo.processInfo.environment["OCTET_LIBCUDA"] ?? "libcuda.so.1" }

    private static let opened: Result<Void, CUDAError> = {
        var message = [CChar](repeating: 0, count: 512)
        guard ccuda_open(libraryPath, &message, message.count) == 0 else {
            return .failure(.driverUnavailable(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)))
        }
        let initialized = ccuda_init(0)
        if initialized == CUresult(CCUDA_ERROR_NO_DEVICE) {
            return .failure(.noDevice("the driver found no NVIDIA GPU"))
        }
        if initialized != 0 { return .failure(callError("cuInit", initialized)) }
        return .success(())
    }()

    /// Opens and initializes the driver (once); throws why it cannot.
    public static func open() throws(CUDAError) {
        try opened.get()
    }

    /// Throws unless `result` is success.
    @inline(__always)
    static func check(_ result: CUresult, _ function: StaticString) throws(CUDAError) {
        if result != 0 { throw callError("\(function)", result) }
    }

    static func callError(_ function: String, _ result: CUresult) -> CUDAError {
        let name = ccuda_error_name(result).map { String(cString: $0) } ?? "CUDA error"
        let message = ccuda_error_string(result).map { String(cString: $0) } ?? "unknown error"
        return .call(function: function, code: result, name: name, message: message)
    }

    /// The driver's CUDA version as "13.0".
    public static func version() throws(CUDAError) -> String {
        try open()
        var v: Int32 = 0
        try check(ccuda_driver_get_version(&v), "cuDriverGetVersion")
        return "\(v / 1000).\(v % 1000 / 10)"
    }
}
