import COctetAPI
import Octet

/// A failure the C API reports with its own status (bad arguments, unsupported requests).
struct APIError: Error {
    var status: octet_status
    var message: String

    static func invalid(_ message: String) -> APIError { APIError(status: OCTET_INVALID_ARGUMENT, message: message) }
}

/// Runs one C API call: its errors become a status and the thread's last-error message, so no Swift error
/// crosses into C. `failure` is the status an error other than `APIError` maps to.
func withStatus(failure: octet_status, _ body: () throws -> Void) -> octet_status {
    do {
        try body()
        return OCTET_OK
    } catch let error as APIError {
        octet_api_set_last_error(error.message)
        return error.status
    } catch {
        octet_api_set_last_error(String(describing: error))
        return failure
    }
}

/// A C string argument that must be present.
func requiredString(_ pointer: UnsafePointer<CChar>?, _ name: String) throws -> String {
    guard let pointer else { throw APIError.invalid("\(name) is NULL") }
    return String(cString: pointer)
}

/// A non-null out-pointer argument.
func requiredPointer<T>(_ pointer: UnsafeMutablePointer<T>?, _ name: String) throws -> UnsafeMutablePointer<T> {
    guard let pointer else { throw APIError.invalid("\(name) is NULL") }
    return pointer
}

/// Threads as the API takes them: 0 for one per core, else 1...256.
func threadCount(_ threads: Int32) throws -> Int {
    guard threads >= 0 && threads <= 256 else { throw APIError.invalid("threads must be 0 (one per core) to 256, got \(threads)") }
    return threads == 0 ? SessionOptions().threads : Int(threads)
}

private let versionText: StaticString = "0.1.0"

@_cdecl("octet_version")
public func capiVersion() -> UnsafePointer<CChar> {
    UnsafeRawPointer(versionText.utf8Start).assumingMemoryBound(to: CChar.self)
}
