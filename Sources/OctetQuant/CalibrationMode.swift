/// How activation ranges are chosen from what the observers saw (`--mode`).
///
/// | mode         | threshold T for a tensor                                    | needs histogram |
/// |--------------|-------------------------------------------------------------|-----------------|
/// | `global`     | the same T for every tensor (TVM's global_scale, default 8) | no              |
/// | `max`        | the largest magnitude seen                                  | no              |
/// | `power2`     | max, with the scale rounded up to a power of two            | no              |
/// | `kl`         | minimizes KL divergence of the int8 histogram (TVM/MXNet)   | yes             |
/// | `percentile` | the given percentile of \|x\| (default 99.999)              | yes             |
/// | `mse`        | minimizes the expected squared quantization error           | yes             |
/// | `auto`       | per tensor, the mse or percentile (99.999, 99.99) threshold that changes the outputs of the nodes reading it least (`AutoRanges`, on sample batches) | yes |
public enum CalibrationMode: String, Sendable, CaseIterable, Codable {
    case global, max, power2, kl, percentile, mse, auto

    public var needsHistogram: Bool {
        switch self {
        case .kl, .percentile, .mse, .auto: true
        case .global, .max, .power2: false
        }
    }
}
