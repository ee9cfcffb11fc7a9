#!/usr/bin/env python3
"""onnxruntime's own QDQ files of the benchmark models, for Scripts/bench-cpu.sh's int8 rows.

    python3 Scripts/make-int8-bench-models.py MODEL.onnx... (needs onnxruntime==1.31.1, sympy)
Writes .cache/bench/<name>.ort-int8.onnx beside each: quantize_static in QDQ format, per-channel int8
weights, uint8 activations (the form onnxruntime fuses completely on x86: with int8 activations it leaves
convolutions whose Relu/Clip it cannot drop in float), MinMax over 8 seeded random inputs. Latency does
not depend on the calibration, so random inputs do.
"""
import contextlib
import logging
import os
import sys

import numpy as np
import onnx
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, ".cache", "bench")


def main():
    logging.getLogger().setLevel(logging.ERROR)  # quantize_static advises pre-processing, once per model
    os.makedirs(OUT, exist_ok=True)
    for path in sys.argv[1:]:
        model = onnx.load(path)
        first = model.graph.input[0]
        shape = [d.dim_value if d.dim_value > 0 else 1 for d in first.type.tensor_type.shape.dim]
        rng = np.random.default_rng(0)

        class Reader(CalibrationDataReader):
            def __init__(self):
                self.batches = iter([{first.name: rng.standard_normal(shape).astype(np.float32)} for _ in range(8)])

            def get_next(self):
                return next(self.batches, None)

        name = os.path.splitext(os.path.basename(path))[0]
        out = os.path.join(OUT, name + ".ort-int8.onnx")
        with contextlib.redirect_stdout(open(os.devnull, "w")):
            quantize_static(path, out, Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                            activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
        print(f"{name}: wrote {out}")


if __name__ == "__main__":
    main()
