"""Shared by the comparison scripts: onnxruntime's quantizers take weights only from initializers."""


def constants_to_initializers(model):
    """Moves every Constant node's tensor into the graph's initializers, under the node's output name (in place)."""
    kept = []
    for node in model.graph.node:
        if node.op_type == "Constant" and node.attribute[0].name == "value":
            tensor = node.attribute[0].t
            tensor.name = node.output[0]
            model.graph.initializer.append(tensor)
        else:
            kept.append(node)
    del model.graph.node[:]
    model.graph.node.extend(kept)
    return model
