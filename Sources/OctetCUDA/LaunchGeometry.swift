/// Grid and block sizes for the kernels, which all loop over their work with a grid stride: any grid is
/// correct, so the grid is sized to fill the GPU without launching more blocks than there is work.
public struct LaunchGeometry: Sendable, Equatable {
    public var grid: (x: UInt32, y: UInt32, z: UInt32)
    public var block: (x: UInt32, y: UInt32, z: UInt32)

    public static let threadsPerBlock = 256
    /// Blocks past this run as further grid-stride rounds: 32 blocks of 256 threads per multiprocessor
    /// keep an H100's 132 SMs full several times over.
    public static func maximumBlocks(multiprocessors: Int) -> Int { max(1, multiprocessors) * 32 }

    /// One thread per work item, `threadsPerBlock` to a block.
    public static func elementwise(_ work: Int, multiprocessors: Int) -> LaunchGeometry {
        let blocks = min(max(1, (work + threadsPerBlock - 1) / threadsPerBlock), maximumBlocks(multiprocessors: multiprocessors))
        return LaunchGeometry(grid: (UInt32(blocks), 1, 1), block: (UInt32(threadsPerBlock), 1, 1))
    }

    public static func == (a: LaunchGeometry, b: LaunchGeometry) -> Bool {
        a.grid == b.grid && a.block == b.block
    }
}
