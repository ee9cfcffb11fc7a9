#!/usr/bin/env python3
"""Small models in the attribute forms of old opsets (Clip-6, Pad-2, Slice-1, Split-2, ReduceMean-1,
Upsample-7/9, Resize-10/11, Softmax-1/11, ...) with onnxruntime's outputs, in the conformance suite's
layout: Fixtures/legacy-opset/<name>/model.onnx and test_data_set_0/{input,output}_N.pb.

They check that the importer's rewrites into newest-opset form keep each op's meaning. Needs onnx,
numpy and onnxruntime (pip); rerun after changing it: Scripts/make-legacy-opset-fixtures.py
"""
import os
import shutil

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures", "legacy-opset")
X = [("x", [2, 3, 4, 5])]


def f32(name, dims, values):
    return h.make_tensor(name, T.FLOAT, dims, values)


CASES = [
    ("clip6", 7, [h.make_node("Clip", ["x"], ["y"], min=-0.5, max=0.7)], ["y"], []),
    ("clip6_min_only", 7, [h.make_node("Clip", ["x"], ["y"], min=-0.5)], ["y"], []),
    ("pad2_constant", 7, [h.make_node("Pad", ["x"], ["y"], pads=[0, 0, 1, 2, 0, 1, 0, 1], value=1.5)], ["y"], []),
    ("pad2_reflect", 9, [h.make_node("Pad", ["x"], ["y"], pads=[0, 0, 1, 2, 0, 0, 2, 1], mode="reflect")], ["y"], []),
    ("slice1", 7, [h.make_node("Slice", ["x"], ["y"], starts=[1, -3], ends=[100, -1], axes=[1, 3])], ["y"], []),
    ("squeeze1_unsqueeze1", 7, [h.make_node("Unsqueeze", ["x"], ["u"], axes=[0, 5]),
                                h.make_node("Squeeze", ["u"], ["y"], axes=[0])], ["y"], []),
    ("split2", 7, [h.make_node("Split", ["x"], ["a", "b"], axis=2, split=[1, 3]),
                   h.make_node("Split", ["x"], ["c", "d"], axis=0)], ["a", "b", "c", "d"], []),
    ("reducemean1", 7, [h.make_node("ReduceMean", ["x"], ["y"], axes=[1, 3], keepdims=0),
                        h.make_node("ReduceMean", ["x"], ["z"])], ["y", "z"], []),
    ("upsample7_nearest", 7, [h.make_node("Upsample", ["x"], ["y"], scales=[1.0, 1.0, 2.0, 3.0])], ["y"], []),
    ("upsample7_linear", 8, [h.make_node("Upsample", ["x"], ["y"], scales=[1.0, 1.0, 2.0, 2.0], mode="linear")],
     ["y"], []),
    ("upsample9", 9, [h.make_node("Upsample", ["x", "s"], ["y"])], ["y"], [f32("s", [4], [1, 1, 3, 2])]),
    ("resize10_linear", 10, [h.make_node("Resize", ["x", "s"], ["y"], mode="linear")], ["y"],
     [f32("s", [4], [1, 1, 2, 1.5])]),
    ("resize10_nearest_up", 10, [h.make_node("Resize", ["x", "s"], ["y"])], ["y"], [f32("s", [4], [1, 1, 2.5, 1.7])]),
    ("resize10_nearest_down", 10, [h.make_node("Resize", ["x", "s"], ["y"])], ["y"], [f32("s", [4], [1, 1, 0.5, 0.6])]),
    ("resize11_empty_roi", 11, [h.make_node("Resize", ["x", "roi", "s"], ["y"], mode="linear",
                                            coordinate_transformation_mode="pytorch_half_pixel")], ["y"],
     [f32("roi", [0], []), f32("s", [4], [1, 1, 2, 2])]),
    ("resize11_sizes", 11, [h.make_node("Resize", ["x", "roi", "s", "sz"], ["y"],
                                        coordinate_transformation_mode="asymmetric", nearest_mode="floor")], ["y"],
     [f32("roi", [0], []), f32("s", [0], []), h.make_tensor("sz", T.INT64, [4], [2, 3, 7, 9])]),
    ("dropout7", 7, [h.make_node("Dropout", ["x"], ["y"], ratio=0.3)], ["y"], []),
    ("batchnorm7", 7, [h.make_node("BatchNormalization", ["x", "sc", "b", "m", "v"], ["y"], epsilon=1e-3)], ["y"],
     [f32("sc", [3], [1, 2, 3]), f32("b", [3], [0.1, 0.2, 0.3]), f32("m", [3], [0.5, -0.5, 0]),
      f32("v", [3], [1, 2, 0.5])]),
    ("softmax1_axis1", 7, [h.make_node("Softmax", ["x"], ["y"], axis=1)], ["y"], []),
    ("softmax11_axis2", 11, [h.make_node("Softmax", ["x"], ["y"], axis=2)], ["y"], []),
    ("softmax11_last_axis", 11, [h.make_node("Softmax", ["x"], ["y"], axis=3)], ["y"], []),
    ("constant9", 9, [h.make_node("Constant", [], ["c"], value=f32("v", [5], [1, 2, 3, 4, 5])),
                      h.make_node("Add", ["x", "c"], ["y"])], ["y"], []),
    ("constant12_lists", 12, [h.make_node("Constant", [], ["c"], value_floats=[1.0, 2.0, 3.0, 4.0, 5.0]),
                              h.make_node("Constant", [], ["shape"], value_ints=[6, 20]),
                              h.make_node("Mul", ["x", "c"], ["m"]),
                              h.make_node("Reshape", ["m", "shape"], ["y"])], ["y"], []),
    ("maxpool8", 8, [h.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2], strides=[2, 1])], ["y"], []),
]


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5)).astype(np.float32)
    for name, opset, nodes, outputs, initializers in CASES:
        graph = h.make_graph(nodes, name, [h.make_tensor_value_info(n, T.FLOAT, s) for n, s in X],
                             [h.make_tensor_value_info(n, T.FLOAT, None) for n in outputs], initializers)
        model = h.make_model(graph, opset_imports=[h.make_opsetid("", opset)], producer_name="octet-fixtures")
        model.ir_version = 6
        folder = os.path.join(OUT, name)
        os.makedirs(os.path.join(folder, "test_data_set_0"))
        onnx.save(model, os.path.join(folder, "model.onnx"))
        session = ort.InferenceSession(os.path.join(folder, "model.onnx"), providers=["CPUExecutionProvider"])
        results = session.run(None, {"x": x})
        data = os.path.join(folder, "test_data_set_0")
        onnx.save_tensor(numpy_helper.from_array(x, "x"), os.path.join(data, "input_0.pb"))
        for i, (n, r) in enumerate(zip(outputs, results)):
            onnx.save_tensor(numpy_helper.from_array(r, n), os.path.join(data, f"output_{i}.pb"))
    print(f"wrote {len(CASES)} legacy-opset cases to {OUT}")


if __name__ == "__main__":
    main()
