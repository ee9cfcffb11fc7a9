import Dispatch
import OctetCPUKernels

/// Runs `body(i)` for every `i` in `0..<count` on up to `threads` workers, each taking one contiguous chunk.
///
/// Chunks rather than single items keep the per-item cost at a closure call; with one thread (or one item)
/// the loop runs inline, so small tensors pay nothing for the thread pool. The workers are the C target's
/// spinning pool (a sleeping Dispatch worker takes 15-20 us to start, as long as a small convolution);
/// when that pool is busy with another caller's job, Dispatch runs the chunks. Callers write disjoint parts
/// of their outputs from `body`; that promise is what makes handing it to several threads sound.
func parallelFor(_ count: Int, threads: Int, _ body: (Int) -> Void) {
    let workers = min(max(threads, 1), count)
    if workers <= 1 {
        for i in 0..<count { body(i) }
        return
    }
    withoutActuallyEscaping(body) { body in
        var chunks = Chunks(count: count, workers: workers, body: body)
        let ran = withUnsafeMutablePointer(to: &chunks) { pointer in
            octet_parallel_run(workers, workers, { context, worker in
                context!.assumingMemoryBound(to: Chunks.self).pointee.run(worker)
            }, pointer)
        }
        if ran == 0 {
            nonisolated(unsafe) let work = chunks
            DispatchQueue.concurrentPerform(iterations: workers) { work.run($0) }
        }
    }
}

/// `0..<count` dealt out in `workers` contiguous chunks.
private struct Chunks {
    let count: Int
    let workers: Int
    let body: (Int) -> Void

    func run(_ worker: Int) {
        for i in (count * worker / workers)..<(count * (worker + 1) / workers) { body(i) }
    }
}
