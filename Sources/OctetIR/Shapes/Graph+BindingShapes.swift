extension Graph {
    /// The graph with its inputs' dimensions fixed (for a batch size, or a model with named image sizes).
    ///
    /// Each named dimension bound this way is replaced everywhere it is declared (outputs, value types), so
    /// a following `inferringShapes()` computes with numbers. Names not in `shapes` keep their declared shape.
    public func bindingInputShapes(_ shapes: [String: [Int]]) throws(IRError) -> Graph {
        var out = self
        var bindings: [String: Int] = [:]
        for name in shapes.keys.sorted() {
            guard let i = inputs.firstIndex(where: { $0.name == name }), let given = shapes[name] else {
                throw IRError.invalidGraph("the graph has no input \"\(name)\" (inputs: \(inputs.map(\.name).joined(separator: ", ")))")
            }
            guard given.allSatisfy({ $0 >= 0 }), given.checkedElementCount != nil else {
                throw IRError.shapeMismatch("input \"\(name)\": shape \(given) is not a valid shape")
            }
            if let declared = inputs[i].shape {
                guard declared.count == given.count else {
                    throw IRError.shapeMismatch("input \"\(name)\": has \(declared.count) dims \(shapeText(declared)), got \(given.count) \(given)")
                }
                for (d, v) in zip(declared, given) {
                    if let f = d.value, f != v {
                        throw IRError.shapeMismatch("input \"\(name)\": declared \(shapeText(declared)), cannot be \(given)")
                    }
                    guard let s = d.sizeName else { continue }
                    if let bound = bindings[s], bound != v {
                        throw IRError.shapeMismatch("input \"\(name)\": dimension \(s) is already bound to \(bound), got \(v)")
                    }
                    bindings[s] = v
                }
            }
            out.inputs[i].shape = given.map(Dim.fixed)
        }
        for i in out.inputs.indices where shapes[out.inputs[i].name] == nil {
            out.inputs[i].shape = out.inputs[i].shape?.binding(bindings)
        }
        for i in out.outputs.indices { out.outputs[i].shape = out.outputs[i].shape?.binding(bindings) }
        for (name, info) in out.valueInfo {
            out.valueInfo[name]?.shape = info.shape?.binding(bindings)
        }
        return out
    }
}
