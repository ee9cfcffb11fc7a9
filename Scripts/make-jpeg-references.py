#!/usr/bin/env python3
"""Reference decodes for the JPEG decoder tests, written to .cache/jpeg-refs/ (ignored).

Re-encodes the bundled photos (Fixtures/photos: gray, 4:2:2, 4:2:0, 4:4:4, portrait, tiny, large) with Pillow (libjpeg-turbo) at qualities 50/75/95 and subsamplings
4:4:4, 4:2:2, 4:2:0 and 4:4:0 (the last with cjpeg -sample 1x2, since Pillow cannot write it),
plus gray, progressive, restart-interval and odd-sized variants; stores each file's Pillow decode
as uint8 HxWxC .npy, and the Pillow decodes of those photos as they are. scikit-image's photos
(its wheel fetched into .cache/skimage) add its own JPEGs as they are and re-encodings of its PNG
photos; tiny crops (1x1 to 33x9) add chroma planes one or two samples wide, in 4:1:1 too (cjpeg).
manifest.tsv lists name, JPEG path (relative to the package root) and .npy path (relative to this folder).
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
PHOTOS = os.path.join(ROOT, "Fixtures", "photos")
OUT = os.path.join(ROOT, ".cache", "jpeg-refs")
SUBSAMPLINGS = {"444": 0, "422": 1, "420": 2}
SKIMAGE_VERSION = "0.24.0"
SKIMAGE = os.path.join(ROOT, ".cache", "skimage")
SKIMAGE_PNGS = ["astronaut.png", "chelsea.png", "coffee.png", "camera.png"]
TINY_SIZES = [(1, 1), (2, 3), (3, 2), (5, 7), (17, 13), (33, 9)]


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


def cjpeg_440(image, quality, sample="1x2,1x1,1x1"):
    """4:4:0 (luma sampled 1x2), or another `sample`, through cjpeg; None when cjpeg is missing."""
    cjpeg = shutil.which("cjpeg")
    if cjpeg is None:
        return None
    buffer = io.BytesIO()
    image.save(buffer, "PPM")
    result = subprocess.run([cjpeg, "-quality", str(quality), "-sample", sample],
                            input=buffer.getvalue(), capture_output=True, check=True)
    return result.stdout


def skimage_data():
    """scikit-image's data folder, fetched from its wheel when missing; None when that fails."""
    data = os.path.join(SKIMAGE, "skimage", "data")
    if not os.path.isdir(data):
        fetch = os.path.join(ROOT, "Scripts", "fetch-wheel.sh")
        if subprocess.run([fetch, f"scikit-image=={SKIMAGE_VERSION}", SKIMAGE, "skimage/data/*"]).returncode != 0:
            print("warning: scikit-image wheel not fetched; its references are left out")
    return data if os.path.isdir(data) else None


def skimage_references(rows):
    """scikit-image's JPEGs as they are, and its PNG photos re-encoded."""
    data = skimage_data()
    if data is None:
        return
    for file in sorted(f for f in os.listdir(data) if f.endswith(".jpg")):
        name = "skimage-" + os.path.splitext(file)[0]
        path = os.path.join(data, file)
        write_npy(name, path)
        rows.append((name, os.path.relpath(path, ROOT), name + ".npy"))
    for index, file in enumerate(SKIMAGE_PNGS):
        stem = f"s{index}"
        with Image.open(os.path.join(data, file)) as im:
            image = im.convert("L" if im.mode in ("L", "I", "F") else "RGB")
        if image.mode == "RGB":
            for quality in (50, 75, 95):
                for label, value in SUBSAMPLINGS.items():
                    save_reference(f"{stem}-q{quality}-{label}", pil_bytes(image, quality=quality, subsampling=value), rows)
            save_reference(f"{stem}-progressive-420", pil_bytes(image, quality=85, progressive=True, subsampling=2), rows)
            save_reference(f"{stem}-progressive-restart-444",
                           pil_bytes(image, quality=90, progressive=True, subsampling=0, restart_marker_rows=1), rows)
            image = image.convert("L")
        save_reference(f"{stem}-gray", pil_bytes(image, quality=85), rows)
        save_reference(f"{stem}-progressive-gray", pil_bytes(image, quality=80, progressive=True), rows)


def tiny_references(rows, photo):
    """Crops smaller than an MCU: chroma planes one or two samples wide or high."""
    with Image.open(photo) as im:
        rgb = im.convert("RGB")
    for w, h in TINY_SIZES:
        crop = rgb.crop((100, 80, 100 + w, 80 + h))
        stem = f"t{w}x{h}"
        for label, value in SUBSAMPLINGS.items():
            save_reference(f"{stem}-{label}", pil_bytes(crop, quality=90, subsampling=value), rows)
        save_reference(f"{stem}-progressive-420", pil_bytes(crop, quality=90, subsampling=2, progressive=True), rows)
        for label, sample in (("440", "1x2,1x1,1x1"), ("411", "4x1,1x1,1x1")):
            data = cjpeg_440(crop, 90, sample)
            if data is not None:
                save_reference(f"{stem}-{label}", data, rows)


def main():
    os.makedirs(OUT, exist_ok=True)
    photos = sorted(f for f in os.listdir(PHOTOS) if f.endswith(".JPEG"))
    rows = []
    skipped_440 = False
    for index, file in enumerate(photos):
        stem = f"p{index}"
        with Image.open(os.path.join(PHOTOS, file)) as im:
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
    skimage_references(rows)
    tiny_references(rows, os.path.join(PHOTOS, photos[2]))
    for file in photos:
        name = "dev-" + os.path.splitext(file)[0]
        path = os.path.join(PHOTOS, file)
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
