import COctetAPI
import Foundation
import Octet
import OctetIR

/// An open model as the C API holds it: the session, and its inputs' and outputs' names as C strings that
/// live as long as the handle.
final class OpenModel: @unchecked Sendable {
    let session: Session
    let inputNames: [UnsafeMutablePointer<CChar>]
    let outputNames: [UnsafeMutablePointer<CChar>]

    init(session: Session) {
        self.session = session
        inputNames = session.inputs.map { strdup($0.name)! }
        outputNames = session.outputs.map { strdup($0.name)! }
    }

    deinit {
        for name in inputNames + outputNames { free(name) }
    }
}

/// The open models by handle. A handle is a number that is never reused (not an address), so a closed or
/// made-up handle is recognized instead of being followed into freed memory.
enum ModelHandles {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var models: [UInt: OpenModel] = [:]
    nonisolated(unsafe) private static var nextID: UInt = 0x0C7E_7000

    static func add(_ model: OpenModel) -> OpaquePointer {
        lock.lock()
        defer { lock.unlock() }
        nextID += 1
        models[nextID] = model
        return OpaquePointer(bitPattern: nextID)!
    }

    static func get(_ handle: OpaquePointer?) throws -> OpenModel {
        guard let handle else { throw APIError.invalid("model is NULL") }
        lock.lock()
        defer { lock.unlock() }
        guard let model = models[UInt(bitPattern: handle)] else {
            throw APIError.invalid("model is not an open model (closed, or never returned by octet_open)")
        }
        return model
    }

    static func remove(_ handle: OpaquePointer?) throws {
        guard let handle else { throw APIError.invalid("model is NULL") }
        lock.lock()
        let removed = models.removeValue(forKey: UInt(bitPattern: handle))
        lock.unlock()
        // A run on another thread keeps its own reference: the model is freed when that run returns.
        guard removed != nil else {
            throw APIError.invalid("model is not an open model (closed, or never returned by octet_open)")
        }
    }
}
