#!/usr/bin/env python3
"""Hostile JPEG files for the decoder's tests, written to Fixtures/corrupt/jpeg/ (committed).

Each file is a small valid JPEG (a 48x32 crop of a dev photo, saved by Pillow) with one defect:
truncation, garbage scan data, impossible or oversized frame headers, bad marker lengths, corrupt
tables, unsupported coding processes. Tests/OctetDataTests/JPEGCorruptTests.swift expects each to
fail with a DataError whose message contains a given phrase.
"""
import io
import os
import struct
import sys

from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PHOTO = os.path.join(os.path.dirname(ROOT), "shared", "imagenet-dev", "n01514668_cock.JPEG")
OUT = os.path.join(ROOT, "Fixtures", "corrupt", "jpeg")


def encode(image, **options):
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **options)
    return bytearray(buffer.getvalue())


def segments(data):
    """(marker, offset of the 0xFF, payload start, payload end) up to and including the first SOS."""
    found, i = [], 2
    while i + 4 <= len(data):
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        found.append((marker, i, i + 4, i + 2 + length))
        if marker == 0xDA:
            break
        i += 2 + length
    return found


def find(data, marker):
    return next(s for s in segments(data) if s[0] == marker)


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(bytes(data))


def main():
    if not os.path.exists(PHOTO):
        print(f"missing {PHOTO}")
        return 1
    os.makedirs(OUT, exist_ok=True)
    with Image.open(PHOTO) as im:
        crop = im.convert("RGB").crop((200, 150, 248, 182))
    base = encode(crop, quality=85, subsampling=2)
    sos = find(base, 0xDA)
    scan_start, scan_end = sos[3], len(base) - 2

    write("empty.jpg", b"")
    write("soi-only.jpg", b"\xff\xd8")
    write("not-jpeg.jpg", b"\x89PNG\r\n\x1a\n" + bytes(40))
    write("truncated-header.jpg", base[:sos[1] - 10])
    write("truncated-scan.jpg", base[:scan_start + (scan_end - scan_start) // 3])
    write("no-scan.jpg", base[:sos[1]] + b"\xff\xd9")

    # All-ones bits (stuffed FF 00 pairs) are never a valid Huffman code.
    garbage = bytearray(base)
    middle = (scan_start + scan_end) // 2
    garbage[middle:middle + 16] = b"\xff\x00" * 8
    write("garbage-scan.jpg", garbage)

    sof = find(base, 0xC0)
    huge = bytearray(base)
    huge[sof[2] + 1:sof[2] + 5] = struct.pack(">HH", 65535, 65535)
    write("huge-dimensions.jpg", huge)
    big = bytearray(base)
    big[sof[2] + 1:sof[2] + 5] = struct.pack(">HH", 16000, 16000)
    write("dimensions-exceed-file.jpg", big)
    zero = bytearray(base)
    zero[sof[2] + 3:sof[2] + 5] = struct.pack(">H", 0)
    write("zero-width.jpg", zero)
    twelve = bytearray(base)
    twelve[sof[2]] = 12
    write("12-bit.jpg", twelve)
    arithmetic = bytearray(base)
    arithmetic[sof[1] + 1] = 0xC9
    write("arithmetic.jpg", arithmetic)
    lossless = bytearray(base)
    lossless[sof[1] + 1] = 0xC3
    write("lossless.jpg", lossless)
    sampling = bytearray(base)
    sampling[sof[2] + 7] = 0x00  # luma sampling factors 0x0
    write("zero-sampling.jpg", sampling)

    dqt = find(base, 0xDB)
    long_dqt = bytearray(base)
    long_dqt[dqt[1] + 2:dqt[1] + 4] = struct.pack(">H", len(base))
    write("dqt-length-past-end.jpg", long_dqt)
    short_dht = bytearray(base)
    dht = find(base, 0xC4)
    short_dht[dht[1] + 2:dht[1] + 4] = struct.pack(">H", 1)
    write("dht-length-too-short.jpg", short_dht)
    overfull = bytearray(base)
    counts = list(overfull[dht[2] + 1:dht[2] + 17])
    counts[0] += 2  # two 1-bit codes leave no room for the rest; the total stays the same
    excess = 2
    for i in reversed(range(1, 16)):
        take = min(counts[i], excess)
        counts[i] -= take
        excess -= take
    overfull[dht[2] + 1:dht[2] + 17] = bytes(counts)
    write("dht-overfull.jpg", overfull)
    write("sos-before-sof.jpg", base[:2] + base[sos[1]:])
    no_tables = bytearray(base)
    no_tables[sos[2] + 2] = 0x33  # Y uses DC/AC table 3, never defined
    write("undefined-huffman-table.jpg", no_tables)

    cmyk = encode(crop.convert("CMYK"), quality=85)
    write("cmyk.jpg", cmyk)

    restart = encode(crop, quality=85, subsampling=2, restart_marker_blocks=1)
    at = restart.index(b"\xff\xd1", find(restart, 0xDA)[3])
    restart[at + 1] = 0xD5
    write("restart-out-of-order.jpg", restart)

    progressive = encode(crop, quality=85, subsampling=2, progressive=True)
    write("progressive-truncated.jpg", progressive[:len(progressive) * 2 // 3])
    # One 8x8 gray progressive DC scan repeated 1001 times: each decodes, the count is the defect.
    tiny = encode(crop.convert("L").crop((0, 0, 8, 8)), quality=85, progressive=True)
    first = find(tiny, 0xDA)
    end = tiny.index(b"\xff", first[3])
    while tiny[end + 1] == 0:
        end = tiny.index(b"\xff", end + 2)
    write("too-many-scans.jpg", tiny[:first[1]] + tiny[first[1]:end] * 1001 + b"\xff\xd9")
    print(f"wrote {len(os.listdir(OUT))} files to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
