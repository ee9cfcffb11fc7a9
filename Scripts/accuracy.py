#!/usr/bin/env python3
"""Int8 accuracy of Octet's calibration modes beside onnxruntime's quantize_static, on the labelled photos.

    Scripts/accuracy.sh [--limit N] [--views] [--models mobilenet_v2,efficientnet_lite0,efficientnet_lite1,...]
                                         (builds octet, then runs this; needs onnxruntime==1.31.1, pillow, sympy)

For MobileNetV2 and EfficientNet-Lite0 (Fixtures/; --models adds EfficientNet-Lite1 and Lite2, from their
PyTorch weights, at 240 and 260 crops with the shorter side scaled alike), both tools calibrate on the same preprocessed photos
(one .npy made here with PIL: shorter side 256 bilinear, center crop 224, the model's normalisation) and
are evaluated on them: top-1 against the labels and top-1 agreement with the float model. Octet: every
--mode, per-channel and per-tensor. onnxruntime: MinMax, Entropy, Percentile, QDQ, int8 weights and
activations, per-channel and per-tensor. NNCF's default `nncf.quantize` too, when the nncf package is
installed. Also times `octet quantize` (auto and kl) against onnxruntime's Entropy calibration and NNCF
on the same model and images.

With --views, every row is also evaluated on 19 more labelled views of each photo (shorter side 256 and
288; centre and four corner crops; mirrored), calibration unchanged: 1900 images instead of 100. A
quantized model's top-1 on 100 photos moves by several points with float rounding alone (the same QDQ
file in two runtimes), so the loss against float is printed there with its standard error.
"""
import argparse
import contextlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnxruntime as ort
from PIL import Image

ort.set_default_logger_severity(3)  # quantize_static's models make onnxruntime list every unused initializer
logging.getLogger().setLevel(logging.ERROR)  # quantize_static's advice to pre-process, once per model

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEV = os.path.join(ROOT, "..", "shared", "imagenet-dev")
OCTET = os.path.join(ROOT, ".build", "release", "octet")
TORCH = ((0.485 * 255, 0.456 * 255, 0.406 * 255), (0.229 * 255, 0.224 * 255, 0.225 * 255))
LITE = ((127.0, 127.0, 127.0), (128.0, 128.0, 128.0))
# name, ONNX file (or PyTorch weights converted here with `octet convert --arch name`), normalisation, crop.
MODELS = {
    "mobilenet_v2": ("Fixtures/mobilenet_v2.onnx", TORCH, 224),
    "efficientnet_lite0": ("Fixtures/efficientnet_lite0.onnx", LITE, 224),
    "efficientnet_lite1": (".cache/weights/efficientnet-lite1-77cc7160.pth", LITE, 240),
    "efficientnet_lite2": (".cache/weights/efficientnet-lite2-9656183e.pth", LITE, 260),
}
MODES = ["auto", "global", "max", "power2", "kl", "percentile", "mse"]


def photos(limit):
    """(RGB image, label) for each labelled JPEG of the dev set."""
    rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(DEV, "labels.tsv")) if l.strip()]
    for name, label, *_ in [r for r in rows if r[0].lower().endswith((".jpeg", ".jpg"))][:limit]:
        yield Image.open(os.path.join(DEV, name)).convert("RGB"), int(label)


def shorter_side(img, size):
    """Resized (bilinear) so its shorter side is `size`."""
    w, h = img.size
    s = size / min(w, h)
    return img.resize((max(size, round(w * s)), max(size, round(h * s))), Image.BILINEAR)


def square(img, left, top, crop):
    return np.asarray(img.crop((left, top, left + crop, top + crop)), dtype=np.float32)


def load_photos(limit, crop=224):
    """The calibration view: shorter side 256 (for a 224 crop; in proportion for others), centre crop."""
    images, labels = [], []
    for img, label in photos(limit):
        img = shorter_side(img, crop * 256 // 224)
        w, h = img.size
        images.append(square(img, (w - crop) // 2, (h - crop) // 2, crop))
        labels.append(label)
    return np.stack(images), np.array(labels, dtype=np.int64)


def load_views(limit, crop=224):
    """Crops and mirror images of the photos other than the calibration view (256, centre, unmirrored)."""
    images, labels = [], []
    for img, label in photos(limit):
        for size in (crop * 256 // 224, crop * 288 // 224):
            scaled = shorter_side(img, size)
            w, h = scaled.size
            centre = ((w - crop) // 2, (h - crop) // 2)
            for left, top in (centre, (0, 0), (w - crop, 0), (0, h - crop), (w - crop, h - crop)):
                cut = square(scaled, left, top, crop)
                for mirrored in (False, True):
                    if size == crop * 256 // 224 and (left, top) == centre and not mirrored:
                        continue
                    images.append(cut[:, ::-1] if mirrored else cut)
                    labels.append(label)
    return np.stack(images), np.array(labels, dtype=np.int64)


def loss_text(float_top1, top1, agreement, n):
    """Top-1 lost against float, and its standard error from the share of changed predictions (views taken as
    independent, which views of one photo are not quite)."""
    return "%5.1f +- %.1f" % (float_top1 - top1, 100 * np.sqrt(max(0.0, 1 - agreement / 100) / n))


def normalise(hwc, norm):
    mean, std = (np.array(v, np.float32) for v in norm)
    return np.ascontiguousarray(((hwc - mean) / std).transpose(0, 3, 1, 2))


def ort_logits(path, x):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    s = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    name = s.get_inputs()[0].name
    return np.concatenate([s.run(None, {name: x[i:i + 8]})[0] for i in range(0, len(x), 8)])


def scores(logits, labels, reference):
    top1 = logits.argmax(1)
    return 100 * float((top1 == labels).mean()), 100 * float((top1 == reference.argmax(1)).mean())


def octet(*args):
    out = subprocess.run([OCTET, *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("octet %s failed: %s" % (" ".join(args), out.stderr.strip()))
    return out.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--views", action="store_true", help="also evaluate on 19 more labelled views of each photo")
    ap.add_argument("--models", default="mobilenet_v2,efficientnet_lite0",
                    help="comma-separated, of: " + ", ".join(MODELS))
    args = ap.parse_args()
    from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType, quantize_static

    names = args.models.split(",")
    for n in names:
        if n not in MODELS:
            sys.exit("unknown model %s; known: %s" % (n, ", ".join(MODELS)))
    work = tempfile.mkdtemp(prefix="octet-accuracy-")
    hwc, labels = load_photos(args.limit)
    print("%d photos; work files in %s\n" % (len(labels), work))
    views_hwc, views_labels = load_views(args.limit) if args.views else (None, None)
    loaded = 224
    print("%-20s %-24s %8s %10s" % ("model", "method", "top-1", "agreement")
          + ("   | %d views: %6s %10s %14s" % (len(views_labels), "top-1", "agreement", "loss") if args.views else ""))
    timing = []
    for name in names:
        model, norm, crop = MODELS[name]
        if model.endswith(".pth"):
            if not os.path.exists(os.path.join(ROOT, model)):
                subprocess.run([os.path.join(ROOT, "Scripts", "fetch-weights.sh")], check=True)
            converted = os.path.join(work, name + ".onnx")
            octet("convert", os.path.join(ROOT, model), "--arch", name, "-o", converted)
            model = converted
        if crop != loaded:
            hwc, labels = load_photos(args.limit, crop)
            views_hwc, views_labels = load_views(args.limit, crop) if args.views else (None, None)
            loaded = crop
        x = normalise(hwc, norm)
        data = os.path.join(work, name + ".npy")
        np.save(data, x)
        np.save(os.path.join(work, name + ".labels.npy"), labels)
        float_logits = ort_logits(os.path.join(ROOT, model), x)
        t1, _ = scores(float_logits, labels, float_logits)
        views_text = lambda *_: ""
        views = views_float = None
        if args.views:
            views = os.path.join(work, name + ".views.npy")
            np.save(views, normalise(views_hwc, norm))
            np.save(os.path.join(work, name + ".views.labels.npy"), views_labels)
            views_float = ort_logits(os.path.join(ROOT, model), np.load(views))
            views_top1, _ = scores(views_float, views_labels, views_float)

            def views_text(top1, agreement):
                return "   | %13s %5.1f%% %9.1f%% %14s" % ("", top1, agreement,
                                                        loss_text(views_top1, top1, agreement, len(views_labels)))
        print("%-20s %-24s %7.1f%% %10s" % (name, "float (onnxruntime)", t1, "-")
              + ("   | %13s %5.1f%%" % ("", views_top1) if args.views else ""))
        for granularity in ("per-channel", "per-tensor"):
            for mode in MODES:
                out = os.path.join(work, "%s.%s.%s.onnx" % (name, mode, granularity))
                start = time.time()
                octet("quantize", model, "-o", out, "--calib", data, "--mode", mode, "--" + granularity,
                      "--samples", str(len(labels)), "--threads", "2")
                seconds = time.time() - start
                if mode in ("auto", "kl") and granularity == "per-channel":
                    timing.append((name, "octet " + mode, seconds))
                r = json.loads(octet("eval", out, "--data", data, "--reference", model, "--json", "--threads", "2"))
                v = json.loads(octet("eval", out, "--data", views, "--reference", model, "--json", "--threads", "2")) \
                    if args.views else {}
                print("%-20s %-24s %7.1f%% %9.1f%%" % (name, "octet %s %s" % (mode, granularity), r["top1"], r["agreement"])
                      + views_text(v.get("top1"), v.get("agreement")))
            for method in ("MinMax", "Entropy", "Percentile"):

                class Reader(CalibrationDataReader):
                    def __init__(self):
                        self.batches = iter([{"input": x[i:i + 1]} for i in range(len(x))])

                    def get_next(self):
                        return next(self.batches, None)

                out = os.path.join(work, "%s.ort.%s.%s.onnx" % (name, method, granularity))
                start = time.time()
                # Its calibrators print their progress to stdout, between the table's rows.
                with contextlib.redirect_stdout(sys.stderr if os.environ.get("VERBOSE") else open(os.devnull, "w")):
                    quantize_static(os.path.join(ROOT, model), out, Reader(), quant_format=QuantFormat.QDQ,
                                    per_channel=granularity == "per-channel", activation_type=QuantType.QInt8,
                                    weight_type=QuantType.QInt8, calibrate_method=getattr(CalibrationMethod, method))
                seconds = time.time() - start
                if method == "Entropy" and granularity == "per-channel":
                    timing.append((name, "onnxruntime Entropy", seconds))
                t1, agree = scores(ort_logits(out, x), labels, float_logits)
                extra = views_text(*scores(ort_logits(out, np.load(views)), views_labels, views_float)) if args.views else ""
                print("%-20s %-24s %7.1f%% %9.1f%%" % (name, "ort %s %s" % (method, granularity), t1, agree) + extra)
        nncf_row(name, model, data, work, labels, float_logits, views, views_labels, views_float, views_text, timing)
        sys.stdout.flush()
    print("\ncalibration time (%d images, 2 threads):" % len(labels))
    for name, who, seconds in timing:
        print("  %-20s %-22s %6.1f s" % (name, who, seconds))
    for name in sorted({t[0] for t in timing}):
        times = {w: s for n, w, s in timing if n == name}
        for ours in ("octet auto", "octet kl"):
            for peer in ("onnxruntime Entropy", "nncf default"):
                if ours in times and peer in times:
                    print("  %-20s %s / %s = %.2f" % (name, ours, peer, times[ours] / times[peer]))


def nncf_row(name, model, data, work, labels, float_logits, views, views_labels, views_float, views_text, timing):
    """NNCF's default post-training quantization (MinMax placement, FastBiasCorrection) of the same model on
    the same calibration photos, evaluated like onnxruntime's files; left out when nncf is not installed."""
    try:
        import nncf
        import onnx
    except ImportError:
        print("%-20s %-24s left out: the nncf package is not installed" % (name, "nncf default"))
        return
    x = np.load(data)
    graph = onnx.load(os.path.join(ROOT, model))
    input_name = graph.graph.input[0].name
    start = time.time()
    with contextlib.redirect_stdout(sys.stderr if os.environ.get("VERBOSE") else open(os.devnull, "w")):
        quantized = nncf.quantize(graph, nncf.Dataset(list(x), lambda v: {input_name: v[None]}), subset_size=len(x))
    timing.append((name, "nncf default", time.time() - start))
    out = os.path.join(work, "%s.nncf.onnx" % name)
    onnx.save(quantized, out)
    t1, agree = scores(ort_logits(out, x), labels, float_logits)
    extra = views_text(*scores(ort_logits(out, np.load(views)), views_labels, views_float)) if views is not None else ""
    print("%-20s %-24s %7.1f%% %9.1f%%" % (name, "nncf %s" % nncf.__version__, t1, agree) + extra)


if __name__ == "__main__":
    main()
