#!/usr/bin/env python3
"""MXNet's side of Octet's RecordIO cross-checks; run by Scripts/check-recordio-mxnet.sh in its venv.

  lists OUTDIR                 writes im2rec .lst files (index, label, path) for dev8 and imagenet-dev-32
  magic OUTDIR                 writes magic.rec/.idx with mxnet.recordio.MXIndexedRecordIO: payloads that
                               hold the RecordIO magic, so the writer splits them (cflag 1/2/3)
  describe REC TSV             what MXNet reads from REC (+ .idx): one TSV line per record
  check-octet REC EXPECTED     reads a .rec written by Octet with MXIndexedRecordIO and ImageRecordIter and
                               compares with the TSV the Octet test wrote beside it
"""
import os
import struct
import sys
import zlib

import mxnet as mx
import numpy as np
from PIL import Image, JpegImagePlugin

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PHOTOS = os.path.join(os.path.dirname(ROOT), "shared", "imagenet-dev")
MAGIC = struct.pack("<I", 0xCED7230A)

# Eight photos of every kind: gray, 4:2:2, 4:2:0, 4:4:4, portrait, tiny (upscaled), large.
DEV8 = [
    "n01514668_cock.JPEG", "n03804744_nail.JPEG", "n04501370_turnstile.JPEG", "n04023962_punching_bag.JPEG",
    "n03733805_measuring_cup.JPEG", "n03710193_mailbox.JPEG", "n04285008_sports_car.JPEG", "n07714990_broccoli.JPEG",
]


def labelled_photos():
    rows = []
    with open(os.path.join(PHOTOS, "labels.tsv")) as f:
        next(f)
        for row, line in enumerate(f):
            name, label = line.rstrip("\n").split("\t")[:2]
            rows.append((row, name, int(label)))
    return rows


def kind(path):
    image = Image.open(path)
    if image.mode == "L":
        return "gray"
    return {0: "444", 1: "422", 2: "420"}.get(JpegImagePlugin.get_sampling(image), "other")


def pick32(rows):
    """All gray and 4:2:2 photos, then every other 4:2:0 and evenly spaced 4:4:4 ones up to 32."""
    by_kind = {}
    for row in rows:
        by_kind.setdefault(kind(os.path.join(PHOTOS, row[1])), []).append(row)
    chosen = by_kind.get("gray", []) + by_kind.get("422", []) + by_kind.get("420", [])[::2]
    rest = by_kind.get("444", [])
    need = 32 - len(chosen)
    chosen += [rest[i * len(rest) // need] for i in range(need)]
    return sorted(chosen)


def write_list(path, rows):
    with open(path, "w") as f:
        for row, name, label in rows:
            f.write("%d\t%f\t%s\n" % (row, label, name))


def cmd_lists(outdir):
    rows = labelled_photos()
    write_list(os.path.join(outdir, "dev8.lst"), [r for r in rows if r[1] in DEV8])
    write_list(os.path.join(outdir, "imagenet-dev-32.lst"), pick32(rows))


def cmd_magic(outdir):
    IRHeader = mx.recordio.IRHeader
    pack = mx.recordio.pack
    body = bytes(range(1, 41))
    payloads = [
        pack(IRHeader(0, 3.0, 100, 0), MAGIC + body),                 # magic right after the header
        MAGIC + body[:8],                                              # magic first: an empty first part
        body[:12] + MAGIC,                                             # magic last: an empty last part
        body[:8] + MAGIC + MAGIC + body[:5],                           # two in a row: an empty middle part
        body[:6] + MAGIC + body[:6],                                   # unaligned magic: not split
        pack(IRHeader(0, [1.5, 2.5, 7.0], 7, 9), MAGIC * 3 + body[:3]),  # 3 labels (flag 3), three splits
        pack(IRHeader(0, 5.0, 2 ** 40 + 3, 2 ** 63), b""),             # large ids, no image bytes
    ]
    record = mx.recordio.MXIndexedRecordIO(os.path.join(outdir, "magic.idx"), os.path.join(outdir, "magic.rec"), "w")
    for key, payload in enumerate(payloads):
        record.write_idx(key * 10, payload)
    record.close()


def parts(rec_path):
    """Number of RecordIO parts (headers) in the file, counted from its raw bytes."""
    data = open(rec_path, "rb").read()
    count, at = 0, 0
    while at < len(data):
        _, lrec = struct.unpack_from("<II", data, at)
        at += 8 + ((lrec & ((1 << 29) - 1)) + 3) // 4 * 4
        count += 1
    return count


def describe(rec_path):
    idx_path = os.path.splitext(rec_path)[0] + ".idx"
    record = mx.recordio.MXIndexedRecordIO(idx_path, rec_path, "r")
    lines = []
    for number, key in enumerate(record.keys):
        payload = record.read_idx(key)
        if len(payload) < 24:  # a plain record, not an image record
            lines.append([number, key, record.idx[key], "-", "-", "-", "-", len(payload), zlib.crc32(payload),
                          "-", "-"])
            continue
        header, image = mx.recordio.unpack(payload)
        labels = np.atleast_1d(np.asarray(header.label, dtype=np.float32))
        lines.append([number, key, record.idx[key], header.flag, ",".join("%g" % l for l in labels),
                      header.id, header.id2, len(payload), zlib.crc32(payload), len(image), zlib.crc32(image)])
    record.close()
    return lines


def record_iter_stats(rec_path, count):
    """Labels and per-channel means of ImageRecordIter's output (shorter side 256, center crop 224, raw 0-255)."""
    it = mx.io.ImageRecordIter(path_imgrec=rec_path, data_shape=(3, 224, 224), batch_size=1, resize=256,
                               shuffle=False, rand_crop=False, rand_mirror=False, round_batch=False,
                               preprocess_threads=1)
    out = []
    for batch in it:
        data = batch.data[0].asnumpy()[0]
        out.append(("%g" % batch.label[0].asnumpy()[0], ",".join("%.4f" % data[c].mean() for c in range(3))))
    assert len(out) == count, (len(out), count)
    return out


def cmd_describe(rec_path, tsv_path, images):
    lines = describe(rec_path)
    head = ["record", "key", "offset", "flag", "labels", "id", "id2", "payload_bytes", "payload_crc32",
            "image_bytes", "image_crc32"]
    if images:
        head += ["iter_label", "iter_rgb_mean"]
        for line, (label, means) in zip(lines, record_iter_stats(rec_path, len(lines))):
            line += [label, means]
    with open(tsv_path, "w") as f:
        f.write("# parts\t%d\n" % parts(rec_path))
        f.write("\t".join(head) + "\n")
        for line in lines:
            f.write("\t".join(map(str, line)) + "\n")


def cmd_check_octet(rec_path, expected_path):
    expected = {}
    with open(expected_path) as f:
        for line in f:
            key, labels, id_, image_bytes, image_crc = line.rstrip("\n").split("\t")
            expected[int(key)] = (labels, int(id_), int(image_bytes), int(image_crc))
    got = {line[1]: (line[4], line[5], line[9], line[10]) for line in describe(rec_path)}
    bad = [k for k in expected if got.get(k) != expected[k]]
    print("MXIndexedRecordIO: %d records read, %d as Octet wrote them, %d differ %s"
          % (len(got), len(expected) - len(bad), len(bad), bad[:5]))
    ok = not bad and len(got) == len(expected)
    try:
        stats = record_iter_stats(rec_path, len(expected))
        labels = [s[0] for s in stats]
        want = [expected[k][0].split(",")[0] for k in sorted(expected, key=lambda k: list(expected).index(k))]
        same = labels == want
        print("ImageRecordIter: decoded %d images, labels %s" % (len(stats), "match" if same else "DIFFER"))
        ok = ok and same
    except Exception as error:  # decoding needs JPEG payloads; report instead of failing the reader check
        print("ImageRecordIter: failed: %s" % error)
        ok = False
    print("octet-written .rec read by MXNet:", "OK" if ok else "MISMATCH")
    return 0 if ok else 1


def main():
    cmd = sys.argv[1]
    if cmd == "lists":
        cmd_lists(sys.argv[2])
    elif cmd == "magic":
        cmd_magic(sys.argv[2])
    elif cmd == "describe":
        cmd_describe(sys.argv[2], sys.argv[3], images=len(sys.argv) > 4 and sys.argv[4] == "images")
    elif cmd == "check-octet":
        sys.exit(cmd_check_octet(sys.argv[2], sys.argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
