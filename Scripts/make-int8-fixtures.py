#!/usr/bin/env python3
"""Per-op int8 parity fixtures: small QDQ models and onnxruntime's outputs for them.

    python3 -m pip install onnxruntime==1.31.1 onnx==1.22.0 && python3 Scripts/make-int8-fixtures.py
Writes Fixtures/int8/<case>/model.onnx, model.qoperator.onnx, input_N.npy and expected.npy. Each model quantizes its float
input(s), runs one op between DequantizeLinear and QuantizeLinear nodes (as onnxruntime's quantize_static
writes them), and dequantizes the result; onnxruntime (all optimizations on) fuses each group into its
QLinear op, so expected.npy holds QLinearConv's, QLinearMatMul's, QLinearAdd's or
QLinearGlobalAveragePool's integers, dequantized (QLinearAdd also on every pair of integers). The tests compare Octet's integer path with them in
units of the output scale. Seeded: running it again writes the same files.
"""
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Fixtures", "int8")


def tensor(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


class Builder:
    def __init__(self, act_type):
        self.nodes, self.inits, self.act = [], [], act_type

    def qparams(self, name, scale, zero):
        dtype = np.int8 if self.act == "int8" else np.uint8
        self.inits += [tensor(name + "_scale", np.float32(scale)), tensor(name + "_zp", dtype(zero))]
        return name + "_scale", name + "_zp"

    def qdq(self, x, name, scale, zero):
        s, z = self.qparams(name, scale, zero)
        self.nodes += [helper.make_node("QuantizeLinear", [x, s, z], [name + "_q"]),
                       helper.make_node("DequantizeLinear", [name + "_q", s, z], [name + "_dq"])]
        return name + "_dq"

    def weight(self, name, w, per_channel, axis=0):
        """Symmetric int8 weights, per channel along `axis` or per tensor, behind a DequantizeLinear."""
        if per_channel:
            moved = np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1)
            scale = (np.abs(moved).max(axis=1) / 127).astype(np.float32)
            shape = [1] * w.ndim
            shape[axis] = -1
            q = np.clip(np.rint(w / scale.reshape(shape)), -127, 127).astype(np.int8)
            zp = np.zeros(scale.shape, np.int8)
        else:
            scale = np.float32(np.abs(w).max() / 127)
            q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
            zp = np.int8(0)
        self.inits += [tensor(name + "_q", q), tensor(name + "_scale", scale), tensor(name + "_zp", zp)]
        self.nodes.append(helper.make_node("DequantizeLinear", [name + "_q", name + "_scale", name + "_zp"], [name + "_dq"],
                                           axis=axis))
        return name + "_dq", scale

    def bias(self, name, b, x_scale, w_scale):
        scale = (np.float32(x_scale) * np.asarray(w_scale, np.float32)).astype(np.float32)
        scale = np.broadcast_to(scale, b.shape).astype(np.float32)
        q = np.rint(b / scale).astype(np.int32)
        self.inits += [tensor(name + "_q", q), tensor(name + "_scale", scale), tensor(name + "_zp", np.zeros(b.shape, np.int32))]
        self.nodes.append(helper.make_node("DequantizeLinear", [name + "_q", name + "_scale", name + "_zp"], [name + "_dq"],
                                           axis=0))
        return name + "_dq"

    def model(self, inputs, out_name):
        graph = helper.make_graph(self.nodes, "int8_case", [helper.make_tensor_value_info(n, TensorProto.FLOAT, s)
                                                            for n, s in inputs],
                                  [helper.make_tensor_value_info(out_name, TensorProto.FLOAT, None)], self.inits)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=7)


def zero(act, rng):
    return int(rng.integers(-20, 20)) if act == "int8" else int(rng.integers(100, 156))


def conv_case(rng, act, shape, out_channels, kernel, per_channel=True, relu=False, **attrs):
    b = Builder(act)
    group = attrs.get("group", 1)
    x = b.qdq("x", "x_in", 0.021, zero(act, rng))
    w = rng.standard_normal((out_channels, shape[1] // group, kernel, kernel)).astype(np.float32) * 0.3
    wd, ws = b.weight("w", w, per_channel)
    bd = b.bias("b", rng.standard_normal(out_channels).astype(np.float32) * 0.5, 0.021, ws)
    b.nodes.append(helper.make_node("Conv", [x, wd, bd], ["conv"], **attrs))
    last = "conv"
    if relu:
        b.nodes.append(helper.make_node("Relu", ["conv"], ["relu"]))
        last = "relu"
    # An output zero point at the type's minimum after a Relu lets onnxruntime drop the Relu, as it does.
    out_zero = (-128 if act == "int8" else 0) if relu else zero(act, rng)
    y = b.qdq(last, "y", 0.047, out_zero)
    b.nodes.append(helper.make_node("Identity", [y], ["y"]))
    return b.model([("x", shape)], "y"), [rng.standard_normal(shape).astype(np.float32)], 0.047


def matmul_case(rng, act, rows, depth, columns, per_channel=True):
    b = Builder(act)
    x = b.qdq("a", "a_in", 0.018, zero(act, rng))
    w, ws = b.weight("w", rng.standard_normal((depth, columns)).astype(np.float32) * 0.2, per_channel, axis=1)
    b.nodes.append(helper.make_node("MatMul", [x, w], ["mm"]))
    y = b.qdq("mm", "y", 0.09, zero(act, rng))
    b.nodes.append(helper.make_node("Identity", [y], ["y"]))
    return b.model([("a", [rows, depth])], "y"), [rng.standard_normal((rows, depth)).astype(np.float32)], 0.09


def add_case(rng, act, shape):
    b = Builder(act)
    a = b.qdq("a", "a_in", 0.023, zero(act, rng))
    c = b.qdq("b", "b_in", 0.017, zero(act, rng))
    b.nodes.append(helper.make_node("Add", [a, c], ["sum"]))
    y = b.qdq("sum", "y", 0.031, zero(act, rng))
    b.nodes.append(helper.make_node("Identity", [y], ["y"]))
    inputs = [rng.standard_normal(shape).astype(np.float32) * 1.5 for _ in range(2)]
    return b.model([("a", shape), ("b", shape)], "y"), inputs, 0.031


def add_all_pairs_case(act, scales, zeros):
    """Every pair of integers through QLinearAdd. These scales and zero points (found by search) put 10 of
    the 65536 sums where fused and unfused multiply-adds round apart, so the fixture tells them apart."""
    b = Builder(act)
    (sa, sb, sy) = scales
    (za, zb, zy) = zeros if act == "uint8" else tuple(z - 128 for z in zeros)
    a = b.qdq("a", "a_in", sa, za)
    c = b.qdq("b", "b_in", sb, zb)
    b.nodes.append(helper.make_node("Add", [a, c], ["sum"]))
    y = b.qdq("sum", "y", sy, zy)
    b.nodes.append(helper.make_node("Identity", [y], ["y"]))
    low = -128 if act == "int8" else 0
    q = np.arange(low, low + 256, dtype=np.float32)
    x = ((q[:, None] - za) * np.float32(sa)).repeat(256, 1).reshape(1, 1, 256, 256).astype(np.float32)
    w = ((q[None, :] - zb) * np.float32(sb)).repeat(256, 0).reshape(1, 1, 256, 256).astype(np.float32)
    return b.model([("a", [1, 1, 256, 256]), ("b", [1, 1, 256, 256])], "y"), [x, w], sy


def gap_case(rng, act, shape):
    b = Builder(act)
    x = b.qdq("x", "x_in", 0.025, zero(act, rng))
    b.nodes.append(helper.make_node("GlobalAveragePool", [x], ["pool"]))
    y = b.qdq("pool", "y", 0.0061, zero(act, rng))
    b.nodes.append(helper.make_node("Identity", [y], ["y"]))
    return b.model([("x", shape)], "y"), [rng.standard_normal(shape).astype(np.float32) + 0.3], 0.0061


def cases():
    for act in ("int8", "uint8"):
        rng = np.random.default_rng(7 if act == "int8" else 8)
        yield f"conv3x3_{act}", conv_case(rng, act, [1, 16, 14, 14], 24, 3, pads=[1, 1, 1, 1])
        yield f"conv3x3_s2_{act}", conv_case(rng, act, [1, 8, 15, 16], 12, 3, strides=[2, 2], pads=[0, 1, 1, 0])
        yield f"conv1x1_relu_{act}", conv_case(rng, act, [1, 32, 9, 9], 40, 1, relu=True)
        yield f"conv_grouped_{act}", conv_case(rng, act, [1, 16, 10, 10], 16, 3, pads=[1, 1, 1, 1], group=4)
        yield f"depthwise_{act}", conv_case(rng, act, [1, 24, 13, 13], 24, 3, pads=[1, 1, 1, 1], group=24)
        yield f"depthwise_s2_{act}", conv_case(rng, act, [1, 24, 14, 14], 24, 3, strides=[2, 2], pads=[1, 1, 1, 1],
                                               group=24)
        yield f"conv_per_tensor_{act}", conv_case(rng, act, [1, 8, 9, 9], 8, 3, per_channel=False, pads=[1, 1, 1, 1])
        yield f"matmul_{act}", matmul_case(rng, act, 4, 64, 40)
        yield f"add_{act}", add_case(rng, act, [1, 16, 14, 14])
        yield f"global_average_pool_{act}", gap_case(rng, act, [1, 32, 7, 7])
        yield f"add_all_pairs_{act}", add_all_pairs_case(act, (0.01984531246125698, 0.047465499490499496,
                                                               0.013968424871563911), (120, 116, 128))


def main():
    ort.set_default_logger_severity(3)
    for name, (model, inputs, scale) in cases():
        directory = os.path.join(OUT, name)
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, "model.onnx")
        onnx.save(model, path)
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        # The QOperator form of the same model: onnxruntime's own fused graph (QLinearConv, QLinearMatMul,
        # com.microsoft QLinearAdd and QLinearGlobalAveragePool), which Octet must import and run alike.
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
        options.optimized_model_filepath = os.path.join(directory, "model.qoperator.onnx")
        ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        feeds = {i.name: x for i, x in zip(session.get_inputs(), inputs)}
        expected = session.run(None, feeds)[0]
        for k, x in enumerate(inputs):
            np.save(os.path.join(directory, f"input_{k}.npy"), x)
        np.save(os.path.join(directory, "expected.npy"), expected)
        with open(os.path.join(directory, "scale.txt"), "w") as f:
            f.write(repr(scale) + "\n")
        print(f"{name}: {expected.shape}")
    print("onnxruntime", ort.__version__)


if __name__ == "__main__":
    main()
