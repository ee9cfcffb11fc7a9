#!/usr/bin/env python3
"""Octet's integer path against onnxruntime on whole QDQ models, on the labelled photos.

    Scripts/check-int8-vs-ort.sh [--limit N]     (builds octet; needs onnxruntime==1.31.1, pillow, sympy)

For MobileNetV2 and EfficientNet-Lite0 (Fixtures/): onnxruntime's own QDQ model (quantize_static, MinMax,
per-channel int8 weights, int8 or uint8 activations, calibrated on the photos) run by onnxruntime and by
`octet run` on its integer path: logits identical in what share of values, the largest difference in
steps of the output scale, top-1 equal on how many photos. Then Octet's own kl model: top-1 agreement of
the integer path with `--simulate`, beside onnxruntime's agreement with `--simulate` on the same file.
"""
import argparse
import contextlib
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from accuracy import MODELS, OCTET, ROOT, load_photos, load_views, normalise, ort_logits  # noqa: E402


def octet(*args):
    out = subprocess.run([OCTET, *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("octet %s failed: %s" % (" ".join(args), out.stderr.strip()))
    return out.stdout


def octet_logits(model, data, work, simulate=False):
    out = os.path.join(work, "out")
    octet("run", model, "--input", data, "--save", out, "--threads", "2", *(["--simulate"] if simulate else []))
    return np.load(os.path.join(out, os.listdir(out)[0]))


def output_scale(path):
    """The scale of the DequantizeLinear that defines the graph's output (its logits' quantization step)."""
    m = onnx.load(path)
    inits = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    out = m.graph.output[0].name
    for n in m.graph.node:
        if n.op_type == "DequantizeLinear" and n.output[0] == out:
            return float(inits[n.input[1]])
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--views", action="store_true",
                    help="also compare the kl model's paths on 19 more views of each photo (crops, mirror images)")
    args = ap.parse_args()
    views = load_views(args.limit) if args.views else None
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    ort.set_default_logger_severity(3)
    hwc, labels = load_photos(args.limit)
    work = tempfile.mkdtemp(prefix="octet-int8-")
    print("%d photos; work files in %s\n" % (len(labels), work))
    for name, model, norm in MODELS:
        x = normalise(hwc, norm)
        data = os.path.join(work, name + ".npy")
        np.save(data, x)
        for activations in (QuantType.QInt8, QuantType.QUInt8):

            class Reader(CalibrationDataReader):
                def __init__(self):
                    self.batches = iter([{"input": x[i:i + 1]} for i in range(len(x))])

                def get_next(self):
                    return next(self.batches, None)

            path = os.path.join(work, "%s.ort.%s.onnx" % (name, activations.name))
            with contextlib.redirect_stdout(open(os.devnull, "w")):
                quantize_static(os.path.join(ROOT, model), path, Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                                activation_type=activations, weight_type=QuantType.QInt8)
            theirs = ort_logits(path, x)
            ours = octet_logits(path, data, work)
            scale = output_scale(path)
            steps = np.rint((ours - theirs) / scale) if scale else np.abs(ours - theirs)
            same_top1 = int((ours.argmax(1) == theirs.argmax(1)).sum())
            lowered = octet("inspect", path, "--lowered").splitlines()[0]
            print("%-20s ort QDQ %-7s identical %7.3f%%  max %d steps  top-1 equal %d/%d  (%s)"
                  % (name, activations.name, 100 * float((steps == 0).mean()), int(np.abs(steps).max()), same_top1,
                     len(x), lowered))
        kl = os.path.join(work, name + ".kl.onnx")
        octet("quantize", model, "-o", kl, "--calib", data, "--mode", "kl", "--samples", str(len(x)), "--threads", "2")
        simulated = octet_logits(kl, data, work, simulate=True)
        integer = octet_logits(kl, data, work)
        runtime = ort_logits(kl, x)
        agree = lambda a, b: 100 * float((a.argmax(1) == b.argmax(1)).mean())
        print("%-20s octet kl: top-1 agreement with --simulate: integer %.1f%%, onnxruntime %.1f%%; "
              "top-1 against labels: integer %.1f%%, simulate %.1f%%, onnxruntime %.1f%%"
              % (name, agree(integer, simulated), agree(runtime, simulated), 100 * float((integer.argmax(1) == labels).mean()),
                 100 * float((simulated.argmax(1) == labels).mean()), 100 * float((runtime.argmax(1) == labels).mean())))
        if views is not None:
            v = normalise(views[0], norm)
            parts = {"integer": [], "simulate": [], "onnxruntime": []}
            for start in range(0, len(v), 100):
                chunk = os.path.join(work, name + ".views.npy")
                np.save(chunk, v[start:start + 100])
                parts["integer"].append(octet_logits(kl, chunk, work))
                parts["simulate"].append(octet_logits(kl, chunk, work, simulate=True))
                parts["onnxruntime"].append(ort_logits(kl, v[start:start + 100]))
            i, s_, r = (np.concatenate(parts[k]) for k in ("integer", "simulate", "onnxruntime"))
            print("%-20s octet kl on %d views: top-1 agreement with --simulate: integer %.2f%%, onnxruntime %.2f%%"
                  % (name, len(v), agree(i, s_), agree(r, s_)))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
