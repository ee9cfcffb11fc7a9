#!/usr/bin/env python3
"""Reference resize+crop outputs of OpenCV's cv2.resize (INTER_LINEAR) for Octet's preprocessing tests.

Each case takes a region of a real photo from ../shared/imagenet-dev, decoded by PIL and stored as
<case>.src.npy (so the test does not depend on a JPEG decoder), resizes its shorter side as MXNet's
ImageRecordIter does (longer = longer * resize // shorter, cv2.resize INTER_LINEAR), center-crops
(left = (w - size) // 2, top = (h - size) // 2) and stores <case>.out.npy (uint8, HxW or HxWx3).
cases.tsv lists case, resize, size, source photo and region.

Run with a Python that has numpy, pillow and opencv-python-headless, e.g. the venv that
Scripts/check-recordio-mxnet.sh makes:  .cache/mxnet-venv/bin/python Scripts/make-preprocess-references.py
"""
import os
import sys

import cv2
import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PHOTOS = os.path.join(os.path.dirname(ROOT), "shared", "imagenet-dev")
OUT = os.path.join(ROOT, "Fixtures", "preprocess")

# name, photo, region (left, top, width, height) or None for the whole photo, resize, size, why
CASES = [
    ("upscale-color", "n01631663_eft.JPEG", (170, 120, 160, 120), 256, 224, "1.6x up, 4:3"),
    ("downscale-portrait", "n03710193_mailbox.JPEG", (100, 120, 150, 200), 64, 56, "2.3x down, portrait"),
    ("full-rows", "n03710193_mailbox.JPEG", (100, 120, 150, 200), 64, 64, "crop keeps whole rows: row ends too"),
    ("gray-full", "n03804744_nail.JPEG", None, 256, 224, "whole grayscale photo, 1.4x up"),
    ("halving", "n04141327_scabbard.JPEG", (150, 150, 160, 160), 80, 64, "exact 2x: OpenCV's area path"),
    ("crop-only", "n04116512_rubber_eraser.JPEG", (200, 100, 120, 90), 90, 80, "already at resize: crop only"),
    ("strong-downscale", "n03733805_measuring_cup.JPEG", (420, 300, 240, 160), 40, 32, "4x down, 3:2"),
]


def mxnet_size(w, h, resize):
    return (resize, h * resize // w) if h > w else (w * resize // h, resize)


def main():
    os.makedirs(OUT, exist_ok=True)
    lines = ["case\tresize\tsize\tphoto\tregion\twhy"]
    for name, photo, region, resize, size, why in CASES:
        image = Image.open(os.path.join(PHOTOS, photo))
        if region is not None:
            left, top, w, h = region
            image = image.crop((left, top, left + w, top + h))
        src = np.asarray(image, dtype=np.uint8)
        h, w = src.shape[:2]
        nw, nh = mxnet_size(w, h, resize)
        resized = cv2.resize(src, (nw, nh), interpolation=cv2.INTER_LINEAR)
        x, y = (nw - size) // 2, (nh - size) // 2
        out = np.ascontiguousarray(resized[y:y + size, x:x + size])
        np.save(os.path.join(OUT, name + ".src.npy"), np.ascontiguousarray(src))
        np.save(os.path.join(OUT, name + ".out.npy"), out)
        where = "whole" if region is None else ",".join(map(str, region))
        lines.append(f"{name}\t{resize}\t{size}\t{photo}\t{where}\t{why}")
        print(f"{name}: {w}x{h} -> {nw}x{nh}, crop {size} at ({x},{y})", file=sys.stderr)
    with open(os.path.join(OUT, "cases.tsv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"opencv {cv2.__version__}", file=sys.stderr)


if __name__ == "__main__":
    main()
