/// Where each intermediate value lives in one device allocation: values alive at the same time never
/// share bytes, values whose lifetimes do not meet may. Lifetimes come from the step order (a value is
/// alive from the step that writes it to the last step that reads it), as the CPU interpreter frees values.
public struct MemoryPlan: Sendable, Equatable {
    public struct Request: Sendable, Equatable {
        public var bytes: Int
        public var first: Int
        public var last: Int
        public init(bytes: Int, first: Int, last: Int) {
            self.bytes = bytes
            self.first = first
            self.last = last
        }
    }

    /// Every offset is a multiple of this (the driver's own allocation granularity for vector loads).
    public static let alignment = 256

    public let offsets: [Int]
    public let totalBytes: Int

    /// Greedy by size, largest first, each at the lowest offset that clashes with no placed value whose
    /// lifetime overlaps: the usual plan of inference runtimes, near optimal on chains of layers.
    /// `reuse: false` gives every value its own bytes, plus `guardBytes` after each (a checked run fills
    /// them and looks whether a kernel wrote there).
    public init(_ requests: [Request], reuse: Bool = true, guardBytes: Int = 0) {
        func aligned(_ n: Int) -> Int { (n + Self.alignment - 1) / Self.alignment * Self.alignment }
        var offsets = [Int](repeating: 0, count: requests.count)
        guard reuse else {
            var end = 0
            for (i, r) in requests.enumerated() {
                offsets[i] = end
                end = aligned(end + r.bytes + guardBytes)
            }
            self.offsets = offsets
            totalBytes = end
            return
        }
        let order = requests.indices.sorted { (requests[$0].bytes, $1) > (requests[$1].bytes, $0) }
        var placed: [(offset: Int, end: Int, first: Int, last: Int)] = []
        var total = 0
        for i in order {
            let r = requests[i]
            let size = aligned(max(r.bytes, 1))
            let clashes = placed.filter { $0.first <= r.last && r.first <= $0.last }.sorted { $0.offset < $1.offset }
            var offset = 0
            for c in clashes {
                if offset + size <= c.offset { break }
                offset = max(offset, c.end)
            }
            offsets[i] = offset
            placed.append((offset, offset + size, r.first, r.last))
            total = max(total, offset + size)
        }
        self.offsets = offsets
        totalBytes = total
    }
}
