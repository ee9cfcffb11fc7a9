#!/usr/bin/env python3
"""ddddocr's pre-quantized captcha model (a real dynamic-quantized file from the wild) in Octet and onnxruntime.

    python3 Scripts/check-ddddocr.py        (after Scripts/fetch-models.sh; needs onnxruntime, onnx, pillow)
The whole model: `octet inspect` must name its com.microsoft DynamicQuantizeLSTM as unsupported. The part
before that node (DynamicQuantizeLinear, ConvInteger, the float glue; cut out with onnx.utils) runs in both
on rendered captcha-like text lines: how many outputs are identical and the largest difference.
"""
import os
import subprocess
import tempfile

import numpy as np
import onnx
import onnx.utils
import onnxruntime as ort
from PIL import Image, ImageDraw

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(ROOT, ".cache", "models", "common_old.onnx")
OCTET = os.path.join(ROOT, ".build", "release", "octet")


def lines():
    """Grey text lines 64 pixels high, as ddddocr feeds its model (scaled to [0, 1])."""
    for k, text in enumerate(["a3Kx9", "Qw7pZ2", "m4N8r", "octet42"]):
        img = Image.new("L", (40 + 24 * len(text), 64), 230 - 20 * k)
        ImageDraw.Draw(img).text((10, 20), text, fill=30)
        img = img.resize((img.width * 2, 64))
        yield np.asarray(img, np.float32)[None, None] / 255


def main():
    ort.set_default_logger_severity(3)
    out = subprocess.run([OCTET, "inspect", MODEL], capture_output=True, text=True)
    print("whole model: exit %d: %s" % (out.returncode, (out.stderr or out.stdout).strip().splitlines()[-1]))
    lstm = next(n for n in onnx.load(MODEL).graph.node if n.op_type == "DynamicQuantizeLSTM")
    work = tempfile.mkdtemp(prefix="octet-ddddocr-")
    part = os.path.join(work, "before_lstm.onnx")
    onnx.utils.extract_model(MODEL, part, ["input1"], [lstm.input[0]])
    kinds = sorted({n.op_type for n in onnx.load(part).graph.node})
    print("part before %s: %s" % (lstm.name, ", ".join(kinds)))
    session = ort.InferenceSession(part, providers=["CPUExecutionProvider"])
    for k, x in enumerate(lines()):
        path = os.path.join(work, "x%d.npy" % k)
        np.save(path, x)
        theirs = session.run(None, {"input1": x})[0]
        save = os.path.join(work, "out%d" % k)
        subprocess.run([OCTET, "run", part, "--input", "input1=" + path, "--save", save], check=True,
                       capture_output=True)
        ours = np.load(os.path.join(save, os.listdir(save)[0]))
        scale = np.abs(theirs).max()
        print("line %d %s: %d values, identical %.2f%%, max |difference| %.3g (%.2g of the largest value)"
              % (k, x.shape, theirs.size, 100 * float((ours == theirs).mean()), float(np.abs(ours - theirs).max()),
                 float(np.abs(ours - theirs).max() / scale)))


if __name__ == "__main__":
    main()
