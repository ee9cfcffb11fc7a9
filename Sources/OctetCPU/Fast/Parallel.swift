import Dispatch

/// Fork-join over Dispatch's worker pool for kernels whose iterations write disjoint memory.
enum Parallel {
    /// Runs `body(i)` for `i < count`, concurrently when `count > 1`; returns when all are done.
    static func forEach(_ count: Int, _ body: (Int) -> Void) {
        guard count > 1 else {
            if count == 1 { body(0) }
            return
        }
        // The iterations share only raw pointers into disjoint regions, which Swift cannot prove.
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(value: body)
            DispatchQueue.concurrentPerform(iterations: count) { shared.value($0) }
        }
    }
}

private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
}
