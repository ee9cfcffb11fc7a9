#!/usr/bin/env python3
"""`octet quantize --dynamic` beside onnxruntime's quantize_dynamic, on PP-OCRv4's text recognizer.

    python3 Scripts/check-dynamic-vs-ort.py   (after Scripts/fetch-models.sh; needs onnxruntime, onnx, pillow)
Both quantize the same float model (MatMul weights int8, activations at run time). Text lines are
rendered here (48 pixels high, PaddleOCR's normalisation); accuracy is how often each int8 model's
greedy character at each time step equals the float model's, speed the median of `octet bench` and of
onnxruntime on the same int8 file and on its own, 2 threads, one line 48x320.
"""
import contextlib
import json
import logging
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from PIL import Image, ImageDraw

from onnx_constants import constants_to_initializers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(ROOT, ".cache", "models", "ch_PP-OCRv4_rec_infer.onnx")
OCTET = os.path.join(ROOT, ".build", "release", "octet")
TEXTS = ["Octet 2026", "quantize int8", "ONNX Runtime", "hello world 42", "TVM relay", "MobileNetV2",
         "calibration", "per-channel", "0123456789", "The quick brown fox"]


def lines():
    for k, text in enumerate(TEXTS):
        img = Image.new("RGB", (320, 48), (235 - 5 * k, 235, 230))
        ImageDraw.Draw(img).text((8, 14), text, fill=(20, 20, 20 + 10 * k))
        x = np.asarray(img.resize((320, 48)), np.float32) / 255
        yield ((x - 0.5) / 0.5).transpose(2, 0, 1)[None].astype(np.float32)


def octet(*args):
    return subprocess.run([OCTET, *args], check=True, capture_output=True, text=True).stdout


def main():
    from onnxruntime.quantization import QuantType, quantize_dynamic
    ort.set_default_logger_severity(3)
    logging.getLogger().setLevel(logging.ERROR)  # quantize_dynamic's advice to pre-process
    work = tempfile.mkdtemp(prefix="octet-dynamic-")
    ours, theirs = os.path.join(work, "octet.onnx"), os.path.join(work, "ort.onnx")
    # The file keeps its weights in Constant nodes, which quantize_dynamic does not take: initializers first.
    model = constants_to_initializers(onnx.load(MODEL))
    source = os.path.join(work, "float.onnx")
    onnx.save(model, source)
    print(octet("quantize", source, "--dynamic", "-o", ours).strip())
    with contextlib.redirect_stdout(open(os.devnull, "w")):
        quantize_dynamic(source, theirs, weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Gemm"])
    float_session = ort.InferenceSession(MODEL, providers=["CPUExecutionProvider"])
    ort_session = ort.InferenceSession(theirs, providers=["CPUExecutionProvider"])
    agree = {"octet int8 (octet)": [], "ort int8 (ort)": [], "octet int8 (ort)": []}
    for k, x in enumerate(lines()):
        path = os.path.join(work, "x%d.npy" % k)
        np.save(path, x)
        reference = float_session.run(None, {"x": x})[0].argmax(-1)
        out = os.path.join(work, "out%d" % k)
        octet("run", ours, "--input", "x=" + path, "--save", out)
        mine = np.load(os.path.join(out, os.listdir(out)[0])).argmax(-1)
        agree["octet int8 (octet)"].append((mine == reference).mean())
        agree["ort int8 (ort)"].append((ort_session.run(None, {"x": x})[0].argmax(-1) == reference).mean())
        ort_on_ours = ort.InferenceSession(ours, providers=["CPUExecutionProvider"]) if k == 0 else ort_on_ours
        agree["octet int8 (ort)"].append((ort_on_ours.run(None, {"x": x})[0].argmax(-1) == reference).mean())
    for name, values in agree.items():
        print("%-20s per-step agreement with float: %.2f%% over %d lines" % (name, 100 * np.mean(values), len(values)))

    def bench_octet(model):
        return json.loads(octet("bench", model, "--shape", "x=1,3,48,320", "--repeat", "20", "--threads", "2",
                                "--json"))["median_ms"]

    def bench_ort(model):
        out = subprocess.run([sys.executable, os.path.join(ROOT, "Scripts", "bench_ort.py"), model, "--threads", "2",
                              "--repeat", "20", "--shape", "1,3,48,320"], check=True, capture_output=True, text=True)
        return json.loads(out.stdout)["median_ms"]

    print("latency (ms, median, 2 threads): octet float %.1f, octet on its int8 %.1f, ort float %.1f, ort on its int8 %.1f, "
          "ort on octet's int8 %.1f" % (bench_octet(source), bench_octet(ours), bench_ort(source), bench_ort(theirs),
                                         bench_ort(ours)))


if __name__ == "__main__":
    main()
