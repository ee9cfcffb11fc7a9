#!/usr/bin/env python3
"""Copies the eight dev photos behind Fixtures/rec/dev8.rec into Fixtures/photos/, with their lines of
labels.tsv, so that tests which need a folder of real photos (the packer against MXNet's im2rec, the
labels-file dataset, `octet run` and `octet pack`) run on a clone without ../shared.

  python3 Scripts/make-photo-fixtures.py
"""
import os
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PHOTOS = os.path.join(os.path.dirname(ROOT), "shared", "imagenet-dev")
OUT = os.path.join(ROOT, "Fixtures", "photos")


def main():
    # dev8.lst (index, label, path) names the photos, so the folder and the record file cannot drift apart
    with open(os.path.join(ROOT, "Fixtures", "rec", "dev8.lst")) as f:
        dev8 = {line.rstrip("\n").split("\t")[2] for line in f}
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(PHOTOS, "labels.tsv")) as f:
        header, rows = f.readline(), [line for line in f if line.split("\t")[0] in dev8]
    # labels.tsv order, as in the shared folder, so that a dataset over either lists them alike
    with open(os.path.join(OUT, "labels.tsv"), "w") as f:
        f.write(header)
        f.writelines(rows)
    for line in rows:
        name = line.split("\t")[0]
        shutil.copyfile(os.path.join(PHOTOS, name), os.path.join(OUT, name))
    print(f"{len(rows)} photos in {OUT}")


if __name__ == "__main__":
    main()
