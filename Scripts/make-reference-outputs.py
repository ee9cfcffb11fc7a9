#!/usr/bin/env python3
"""Reference outputs of real models from onnxruntime, on real photos, for the CPU backend's tests.

    Scripts/fetch-models.sh && python3 Scripts/make-reference-outputs.py   (needs onnxruntime==1.31.1, pillow)

For each model writes Fixtures/reference/<name>/input.npy (preprocessed as the model expects) and
output_<i>.npy (onnxruntime fp32, one thread), plus manifest.tsv: name, model path, input name, outputs.
"""
import os

import numpy as np
import onnxruntime as ort
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEV = os.path.join(ROOT, "..", "shared", "imagenet-dev")
MODELS = os.path.join(ROOT, ".cache", "models")
OUT = os.path.join(ROOT, "Fixtures", "reference")


def photo(name, width, height):
    """A dev photo resized (bilinear, stretched) to width x height, as float32 HWC in 0..255."""
    img = Image.open(os.path.join(DEV, name)).convert("RGB").resize((width, height), Image.BILINEAR)
    return np.asarray(img, dtype=np.float32)


def nchw(hwc):
    return np.ascontiguousarray(hwc.transpose(2, 0, 1)[None])


TORCH_MEAN = np.array([0.485, 0.456, 0.406], np.float32) * 255
TORCH_STD = np.array([0.229, 0.224, 0.225], np.float32) * 255

CASES = [
    ("mobilenet_v2", "Fixtures/mobilenet_v2.onnx",
     lambda: nchw((photo("n01514668_cock.JPEG", 224, 224) - TORCH_MEAN) / TORCH_STD)),
    ("efficientnet_lite0", "Fixtures/efficientnet_lite0.onnx",
     lambda: nchw((photo("n01580077_jay.JPEG", 224, 224) - 127.0) / 128.0)),
    # A photo with printed text, so the output is a real detection map: on a photo without text every
    # probability is below 1e-5, where onnxruntime's approximate logistic is several percent off.
    ("ppocr_det", ".cache/models/ch_PP-OCRv4_det_infer.onnx",
     lambda: nchw((photo("n03983396_pop_bottle.JPEG", 256, 192) - TORCH_MEAN) / TORCH_STD)),
    ("ppocr_rec", ".cache/models/ch_PP-OCRv4_rec_infer.onnx",
     lambda: nchw((photo("n01669191_box_turtle.JPEG", 320, 48) / 255.0 - 0.5) / 0.5)),
    ("ppocr_cls", ".cache/models/ch_ppocr_mobile_v2.0_cls_infer.onnx",
     lambda: nchw((photo("n01694178_African_chameleon.JPEG", 192, 48) / 255.0 - 0.5) / 0.5)),
    ("yolov8n_320", ".cache/models/320n.onnx",
     lambda: nchw(photo("n01514668_cock.JPEG", 320, 320) / 255.0)),
]


def main():
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    rows = []
    for name, model, make_input in CASES:
        path = os.path.join(ROOT, model)
        if not os.path.exists(path):
            raise SystemExit(f"{model} is missing: run Scripts/fetch-models.sh first")
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        x = make_input().astype(np.float32)
        input_name = session.get_inputs()[0].name
        outputs = session.run(None, {input_name: x})
        folder = os.path.join(OUT, name)
        os.makedirs(folder, exist_ok=True)
        np.save(os.path.join(folder, "input.npy"), x)
        names = []
        for i, (meta, y) in enumerate(zip(session.get_outputs(), outputs)):
            np.save(os.path.join(folder, f"output_{i}.npy"), y.astype(np.float32))
            names.append(meta.name)
        rows.append("\t".join([name, model, input_name, ",".join(names)]))
        print(f"{name}: input {x.shape} -> {[o.shape for o in outputs]}")
    with open(os.path.join(OUT, "manifest.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
