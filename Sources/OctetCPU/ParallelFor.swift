import Dispatch

/// Runs `body(i)` for every `i` in `0..<count` on up to `threads` workers, each taking one contiguous chunk.
///
/// Chunks rather than single items keep the per-item cost at a closure call; with one thread (or one item)
/// the loop runs inline, so small tensors pay nothing for the thread pool. Callers write disjoint parts
/// of their outputs from `body`; that promise is what makes handing it to several threads sound.
func parallelFor(_ count: Int, threads: Int, _ body: (Int) -> Void) {
    let workers = min(max(threads, 1), count)
    if workers <= 1 {
        for i in 0..<count { body(i) }
        return
    }
    withoutActuallyEscaping(body) { body in
        nonisolated(unsafe) let work = body
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let start = count * worker / workers
            let end = count * (worker + 1) / workers
            for i in start..<end { work(i) }
        }
    }
}
