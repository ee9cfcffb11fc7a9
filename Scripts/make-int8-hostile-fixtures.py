#!/usr/bin/env python3
"""Hostile quantized models for the tests: each must give a clear error naming the node, or run with the
region float and a warning that says why; never a crash.

    python3 Scripts/make-int8-hostile-fixtures.py      (needs onnx==1.22.0 and numpy)
Writes Fixtures/int8-hostile/<case>.onnx and input.npy ([1, 4, 5, 5] floats, seeded).
"""
import os

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Fixtures", "int8-hostile")


def t(name, value):
    return numpy_helper.from_array(np.asarray(value), name)


def model(nodes, inits, opsets=(("", 13),)):
    graph = helper.make_graph(nodes, "hostile", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 5, 5])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets], ir_version=7)


def qdq_conv(x_scale=0.05, bias_scale=None, w_scale=0.01):
    """x → Q/DQ → Conv(DQ(w), DQ(b)) → Q/DQ → y, with the parameters given."""
    w = np.ones((4, 4, 1, 1), np.int8)
    bias_scale = np.float32(x_scale * w_scale) if bias_scale is None else np.float32(bias_scale)
    inits = [t("xs", np.float32(x_scale)), t("xz", np.int8(0)), t("w", w), t("ws", np.float32(w_scale)),
             t("wz", np.int8(0)), t("b", np.array([1000, -5, 7, 0], np.int32)), t("bs", bias_scale),
             t("ys", np.float32(0.1)), t("yz", np.int8(0))]
    nodes = [helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"], name="q_x"),
             helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"], name="dq_x"),
             helper.make_node("DequantizeLinear", ["w", "ws", "wz"], ["wd"], name="dq_w"),
             helper.make_node("DequantizeLinear", ["b", "bs"], ["bd"], name="dq_b"),
             helper.make_node("Conv", ["xd", "wd", "bd"], ["c"], name="conv"),
             helper.make_node("QuantizeLinear", ["c", "ys", "yz"], ["cq"], name="q_y"),
             helper.make_node("DequantizeLinear", ["cq", "ys", "yz"], ["y"], name="dq_y")]
    return model(nodes, inits)


def cases():
    yield "zero_scale", qdq_conv(x_scale=0.0)
    yield "negative_scale", qdq_conv(x_scale=-0.05)
    yield "nan_scale", qdq_conv(x_scale=float("nan"))
    yield "infinite_scale", qdq_conv(x_scale=float("inf"))
    yield "bias_overflows_int32", qdq_conv(bias_scale=1e-3, x_scale=1e-12, w_scale=1e-12)
    # A per-axis scale whose length does not match the axis.
    m = qdq_conv()
    m.graph.initializer[3].CopyFrom(t("ws", np.full(3, 0.01, np.float32)))
    yield "per_axis_size_mismatch", m
    # QLinearAdd with its zero points left out.
    inits = [t("s", np.float32(0.05)), t("z", np.uint8(128))]
    nodes = [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["xq"], name="q"),
             helper.make_node("QLinearAdd", ["xq", "s", "", "xq", "s", "", "s", ""], ["sq"], name="add", domain="com.microsoft"),
             helper.make_node("DequantizeLinear", ["sq", "s", "z"], ["y"], name="dq")]
    yield "qlinearadd_omitted_zero_points", model(nodes, inits, (("", 13), ("com.microsoft", 1)))
    # An onnxruntime contrib op Octet does not have.
    nodes = [helper.make_node("QAttention", ["x"], ["y"], name="attention", domain="com.microsoft")]
    yield "unknown_contrib_op", model(nodes, [], (("", 13), ("com.microsoft", 1)))
    # A uint8 weight whose zero point is int8.
    m = qdq_conv()
    m.graph.initializer[4].CopyFrom(t("wz", np.uint8(3)))
    yield "zero_point_of_another_type", m


def main():
    os.makedirs(OUT, exist_ok=True)
    np.save(os.path.join(OUT, "input.npy"), np.random.default_rng(3).standard_normal((1, 4, 5, 5)).astype(np.float32))
    for name, m in cases():
        save(m, os.path.join(OUT, name + ".onnx"))
        print(name)


if __name__ == "__main__":
    main()
