#!/usr/bin/env python3
"""Small JPEG fixtures for Octet's decoder tests, cut from a real photo (../shared/imagenet-dev), so
that the decoder is checked against libjpeg-turbo without any download.

Fixtures/jpeg/: a 37x21 crop of n01631663_eft.JPEG (odd size: partial MCUs) encoded by PIL as baseline
4:4:4 / 4:2:2 / 4:2:0, progressive, with restart markers and grayscale, plus 4:4:0 from cjpeg when it is
installed; beside each, PIL's decode as <name>.npy (uint8, HxW or HxWx3).

Needs numpy and pillow. Usage: python3 Scripts/make-jpeg-fixtures.py
"""
import io
import os
import shutil
import subprocess

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PHOTO = os.path.join(os.path.dirname(ROOT), "shared", "imagenet-dev", "n01631663_eft.JPEG")
GOOD = os.path.join(ROOT, "Fixtures", "jpeg")


def write(folder, name, data):
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def encode(image, **options):
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def good(name, data):
    write(GOOD, name + ".jpg", data)
    decoded = Image.open(io.BytesIO(data))
    decoded.load()
    np.save(os.path.join(GOOD, name + ".npy"), np.ascontiguousarray(np.asarray(decoded, dtype=np.uint8)))


def main():
    shutil.rmtree(GOOD, ignore_errors=True)
    os.makedirs(GOOD)
    crop = Image.open(PHOTO).convert("RGB").crop((180, 120, 217, 141))
    good("baseline-420", encode(crop, quality=75, subsampling=2))
    good("baseline-422", encode(crop, quality=90, subsampling=1))
    good("baseline-444", encode(crop, quality=95, subsampling=0))
    good("progressive-420", encode(crop, quality=75, subsampling=2, progressive=True))
    good("restart-420", encode(crop, quality=75, subsampling=2, restart_marker_blocks=1))
    good("gray", encode(crop.convert("L"), quality=80))
    good("gray-progressive", encode(crop.convert("L"), quality=80, progressive=True))
    if shutil.which("cjpeg"):
        ppm = io.BytesIO()
        crop.save(ppm, "PPM")
        cjpeg = ["cjpeg", "-quality", "85", "-sample", "1x2,1x1,1x1"]
        good("baseline-440", subprocess.run(cjpeg, input=ppm.getvalue(), capture_output=True, check=True).stdout)


if __name__ == "__main__":
    main()
