import OctetIR
import OctetPasses

/// A QDQ graph lowered to integer ops, and what became of each of its nodes.
public struct RealizedGraph: Sendable {
    public var graph: Graph
    public var report: RealizeReport
}

/// Realize: QDQ groups (DequantizeLinear → op → [Relu/Clip] → QuantizeLinear) become integer ops, as
/// onnxruntime's QDQ selectors group them; everything else stays float, with the Q/DQ nodes around it.
///
/// Works on any QDQ model, Octet's own or another tool's. The result still has QuantizeLinear where float
/// values enter an integer region and DequantizeLinear where they leave it; a graph without Q/DQ comes
/// back unchanged.
public enum Realize {
    public static func run(_ graph: Graph) throws -> RealizedGraph {
        // The groups' checks read value shapes (a per-axis DequantizeLinear must fit its data). A graph
        // straight from the quantizer has none for its new Q/DQ values, and every per-channel group in it
        // stayed float; a loaded graph is already inferred, and inferring again changes nothing.
        let graph = try graph.inferringShapes()
        let hoisted = QuantizeHoisting.run(graph)
        let view = QDQView(hoisted)
        var names = FreshNames(hoisted)
        let compute = ComputeLowering(view: view), elementwise = ElementwiseLowering(view: view)
        var lowerings: [Int: Lowering] = [:]
        var replacedBy: [Int: Int] = [:]
        var refusals: [Int: RealizeRefusal] = [:]
        for i in hoisted.nodes.indices where replacedBy[i] == nil {
            guard let result = compute.lower(i, names: &names) ?? elementwise.lower(i, names: &names) else { continue }
            switch result {
            case .success(let lowering):
                // A group may not swallow a node another group already took.
                guard lowering.replaced.allSatisfy({ replacedBy[$0] == nil }) else { continue }
                lowerings[i] = lowering
                for r in lowering.replaced { replacedBy[r] = i }
            case .failure(let refusal):
                refusals[i] = refusal
            }
        }
        var out = hoisted
        var nodes: [Node] = []
        for (i, node) in hoisted.nodes.enumerated() {
            if let lowering = lowerings[i] {
                nodes += lowering.nodes
                out.initializers.merge(lowering.initializers) { $1 }
            } else if replacedBy[i] == nil {
                nodes.append(node)
            }
        }
        out.nodes = nodes
        out.valueInfo = [:]
        // A Pad with the zero point before an integer convolution is more of its padding.
        let lowered = try PadFolding().run(DeadCodeElimination().run(out)).inferringShapes()
        try lowered.verify()
        let report = RealizeReport(original: hoisted, lowerings: lowerings, replacedBy: replacedBy, refusals: refusals,
                                   lowered: lowered)
        return RealizedGraph(graph: lowered, report: report)
    }

    /// Whether a graph holds any QuantizeLinear or DequantizeLinear, i.e. whether realize has work to do.
    public static func isQuantized(_ graph: Graph) -> Bool {
        graph.nodes.contains {
            switch $0.op {
            case .quantizeLinear, .dequantizeLinear: true
            default: false
            }
        }
    }
}
