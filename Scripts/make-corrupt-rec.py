#!/usr/bin/env python3
"""Hostile RecordIO files for Octet's reader tests, made from the committed Fixtures/rec files.

Writes Fixtures/corrupt/rec/*.rec and *.idx; the test that reads each one is in
Tests/OctetDataTests/RecordIOCorruptTests.swift, with the record number and offset it must report.
Plain Python, no MXNet needed.
"""
import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "Fixtures", "rec")
OUT = os.path.join(ROOT, "Fixtures", "corrupt", "rec")
MAGIC = 0xCED7230A


def part(cflag, payload):
    pad = (4 - len(payload) % 4) % 4
    return struct.pack("<II", MAGIC, cflag << 29 | len(payload)) + payload + b"\0" * pad


def ir(label, id_, body, flag=0):
    return struct.pack("<IfQQ", flag, label, id_, 0) + body


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def main():
    os.makedirs(OUT, exist_ok=True)
    dev8 = open(os.path.join(SRC, "dev8.rec"), "rb").read()
    magic = open(os.path.join(SRC, "magic.rec"), "rb").read()
    offsets = [int(line.split("\t")[1]) for line in open(os.path.join(SRC, "dev8.idx"))]
    good = part(0, ir(1, 0, b"abcdefgh")) + part(0, ir(2, 1, b"ijklmnopq"))   # records 0, 1: 40 + 44 bytes

    # record 1 of dev8 (at byte 25308) cut 1000 bytes into its payload
    write("truncated.rec", dev8[:offsets[1] + 1000])
    # 5 bytes of a header after two good records (at byte 84)
    write("truncated-header.rec", good + struct.pack("<I", MAGIC) + b"\1")
    # record 2 of magic.rec (byte 104) with a damaged magic
    write("bad-magic.rec", magic[:104] + b"\x0b" + magic[105:])
    # record 2 says 5000 bytes, 8 follow (byte 84)
    write("past-eof.rec", good + struct.pack("<II", MAGIC, 5000) + b"12345678")
    # record 2 (byte 84) says 2^29 - 1 bytes: over the record limit
    write("huge-length.rec", good + struct.pack("<II", MAGIC, (1 << 29) - 1) + b"\0" * 64)
    # record 2 (byte 84) starts with a continuation part (cflag 2)
    write("continuation-first.rec", good + part(2, b"abcd") + part(3, b"efgh"))
    # record 2 starts at byte 84 with cflag 1, then a whole record (cflag 0) at byte 96
    write("restart-inside-split.rec", good + part(1, b"abcd") + part(0, b"efgh"))
    # record 2 (byte 84) is a split record whose last part never comes: the file ends at byte 108
    write("unfinished-split.rec", good + part(1, b"abcd") + part(2, b"efgh"))
    # records the framing accepts but whose image header is bad: too short (record 1), too many labels (2)
    write("bad-image-header.rec", part(0, ir(1, 0, b"abcd")) + part(0, b"short")
          + part(0, ir(0, 2, b"xyz", flag=1000)) + part(0, ir(3, 3, b"end")))

    idx = {
        "not-a-number.idx": "0\t0\nfive\t40\n",
        "missing-tab.idx": "0\t0\n1 40\n",
        "duplicate-key.idx": "0\t0\n1\t40\n0\t84\n",
        "past-end.idx": "0\t0\n1\t4000\n",
        "negative-offset.idx": "0\t0\n1\t-40\n",
        "mid-record.idx": "0\t0\n1\t20\n",          # byte 20 is inside record 0
    }
    write("good.rec", good)
    for name, text in idx.items():
        write(name, text.encode())


if __name__ == "__main__":
    main()
