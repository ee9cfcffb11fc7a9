#!/usr/bin/env python3
"""Reference decodes for the JPEG decoder tests, written to .cache/jpeg-refs/ (ignored).

Re-encodes ten dev photos with Pillow (libjpeg-turbo) at qualities 50/75/95 and subsamplings
4:4:4, 4:2:2, 4:2:0 and 4:4:0 (the last with cjpeg -sample 1x2, since Pillow cannot write it),
plus gray, progressive, restart-interval and odd-sized variants; stores each file's Pillow decode
as uint8 HxWxC .npy, and the Pillow decodes of all dev photos as they are. manifest.tsv lists
name, JPEG path (relative to the package root) and .npy path (relative to this folder).
Idempotent: existing outputs are kept.
"""
import io
import os
import shutil
import subprocess
import sys

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "imagenet-dev")
OUT = os.path.join(ROOT, ".cache", "jpeg-refs")
SUBSAMPLINGS = {"444": 0, "422": 1, "420": 2}


def save_reference(name, jpeg_bytes, rows):
    path = os.path.join(OUT, name + ".jpg")
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(jpeg_bytes)
    write_npy(name, path)
    rows.append((name, os.path.relpath(path, ROOT), name + ".npy"))


def write_npy(name, jpeg_path):
    npy = os.path.join(OUT, name + ".npy")
    if os.path.exists(npy):
        return
    with Image.open(jpeg_path) as im:
        im.load()
        if im.mode not in ("L", "RGB"):
            raise SystemExit(f"{jpeg_path}: unexpected mode {im.mode}")
        array = np.asarray(im, dtype=np.uint8)
    if array.ndim == 2:
        array = array[:, :, None]
    np.save(npy, np.ascontiguousarray(array))


def pil_bytes(image, **options):
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def cjpeg_440(image, quality):
    """4:4:0 (luma sampled 1x2) through cjpeg; None when cjpeg is missing."""
    cjpeg = shutil.which("cjpeg")
    if cjpeg is None:
        return None
    buffer = io.BytesIO()
    image.save(buffer, "PPM")
    result = subprocess.run([cjpeg, "-quality", str(quality), "-sample", "1x2,1x1,1x1"],
                            input=buffer.getvalue(), capture_output=True, check=True)
    return result.stdout


def main():
    if not os.path.isdir(SHARED):
        print(f"no dev photos at {SHARED}; nothing to do")
        return 1
    os.makedirs(OUT, exist_ok=True)
    photos = sorted(f for f in os.listdir(SHARED) if f.endswith(".JPEG"))
    rows = []
    skipped_440 = False
    for index, file in enumerate(photos[::10][:10]):
        stem = f"p{index}"
        with Image.open(os.path.join(SHARED, file)) as im:
            rgb = im.convert("RGB")
        for quality in (50, 75, 95):
            for label, value in SUBSAMPLINGS.items():
                save_reference(f"{stem}-q{quality}-{label}", pil_bytes(rgb, quality=quality, subsampling=value), rows)
            data = cjpeg_440(rgb, quality)
            if data is None:
                skipped_440 = True
            else:
                save_reference(f"{stem}-q{quality}-440", data, rows)
        save_reference(f"{stem}-gray", pil_bytes(rgb.convert("L"), quality=85), rows)
        save_reference(f"{stem}-progressive-420", pil_bytes(rgb, quality=85, progressive=True, subsampling=2), rows)
        save_reference(f"{stem}-progressive-444", pil_bytes(rgb, quality=90, progressive=True, subsampling=0), rows)
        save_reference(f"{stem}-progressive-gray", pil_bytes(rgb.convert("L"), quality=80, progressive=True), rows)
        save_reference(f"{stem}-restart-420", pil_bytes(rgb, quality=80, subsampling=2, restart_marker_rows=1), rows)
        save_reference(f"{stem}-restart-blocks-444",
                       pil_bytes(rgb, quality=80, subsampling=0, restart_marker_blocks=7), rows)
        # Odd sizes exercise partial MCUs and the upsampling edges.
        odd = rgb.crop((3, 5, 3 + 2 * (rgb.width // 3) + 1, 5 + 2 * (rgb.height // 3) + 1))
        save_reference(f"{stem}-odd-420", pil_bytes(odd, quality=85, subsampling=2), rows)
        save_reference(f"{stem}-odd-422", pil_bytes(odd, quality=85, subsampling=1), rows)
        save_reference(f"{stem}-odd-progressive-420",
                       pil_bytes(odd, quality=85, subsampling=2, progressive=True, restart_marker_blocks=5), rows)
        data = cjpeg_440(odd, 85)
        if data is not None:
            save_reference(f"{stem}-odd-440", data, rows)
    for file in photos:
        name = "dev-" + os.path.splitext(file)[0]
        path = os.path.join(SHARED, file)
        write_npy(name, path)
        rows.append((name, os.path.relpath(path, ROOT), name + ".npy"))
    with open(os.path.join(OUT, "manifest.tsv"), "w") as f:
        f.write("name\tjpeg\tnpy\n")
        for row in rows:
            f.write("\t".join(row) + "\n")
    print(f"wrote {len(rows)} references to {OUT}" + (" (4:4:0 skipped: no cjpeg)" if skipped_440 else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
