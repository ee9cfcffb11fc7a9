#!/usr/bin/env python3
"""Hostile ONNX models and tensor files for the error-path tests: Fixtures/corrupt/{onnx,tensors}/.

Every file is derived from a real conformance test (test_conv_with_strides_padding: a 221-byte model and
its TensorProto input) by truncating, flipping or rewriting protobuf fields, so each stays under 1 KB.
Each must make Octet's readers throw, never crash. Standard library only; rerun after changing it:

    Scripts/fetch-onnx-tests.sh && Scripts/make-corrupt-fixtures.py
"""
import os
import shutil
import struct
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SOURCE = os.path.join(ROOT, ".cache/onnx-tests/node/test_conv_with_strides_padding")
OUT = os.path.join(ROOT, "Fixtures/corrupt")


def varint(n):
    n &= (1 << 64) - 1  # negative int64 values take ten bytes, as protobuf writes them
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def key(field, wire):
    return varint(field << 3 | wire)


def ld(field, body):
    return key(field, 2) + varint(len(body)) + body


def vint(field, n):
    return key(field, 0) + varint(n)


def fields(buf):
    """Top-level fields of a message as (field, wire, start, value_start, end)."""
    i, out = 0, []
    while i < len(buf):
        start = i
        k, i = read_varint(buf, i)
        field, wire = k >> 3, k & 7
        value_start = i
        if wire == 0:
            _, i = read_varint(buf, i)
        elif wire == 2:
            n, i = read_varint(buf, i)
            value_start = i
            i += n
        elif wire == 5:
            i += 4
        elif wire == 1:
            i += 8
        else:
            sys.exit(f"unexpected wire type {wire}")
        out.append((field, wire, start, value_start, i))
    return out


def read_varint(buf, i):
    n = shift = 0
    while True:
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return n, i


def tensor(name, dims, data_type, raw=b"", extra=b""):
    body = b"".join(vint(1, d) for d in dims) + vint(2, data_type) + ld(8, name.encode())
    return body + (ld(9, raw) if raw is not None else b"") + extra


def with_initializer(model, initializer):
    """The model with one more initializer appended to its graph (field 7, initializer field 5)."""
    out = b""
    for field, wire, start, value_start, end in fields(model):
        if field == 7:
            out += ld(7, model[value_start:end] + ld(5, initializer))
        else:
            out += model[start:end]
    return out


def npy(header, data, version=1):
    text = header.encode() + b"\n"
    size = struct.pack("<H", len(text)) if version == 1 else struct.pack("<I", len(text))
    return b"\x93NUMPY" + bytes([version, 0]) + size + text + data


def main():
    if not os.path.isdir(SOURCE):
        sys.exit(f"{SOURCE} is missing: run Scripts/fetch-onnx-tests.sh first")
    model = open(os.path.join(SOURCE, "model.onnx"), "rb").read()
    pb = open(os.path.join(SOURCE, "test_data_set_0/input_0.pb"), "rb").read()
    graph = next(f for f in fields(model) if f[0] == 7)
    _, _, graph_key, graph_value, graph_end = graph
    length_at = graph_key + 1  # the graph key is one byte (field 7, wire type 2)

    onnx = {
        "empty.onnx": b"",
        "truncated_header.onnx": model[:5],
        "truncated_in_graph.onnx": model[: (graph_value + graph_end) // 2],
        "truncated_last_byte.onnx": model[:-1],
        # Wire type 3 (a protobuf group, never used by ONNX) where the graph's key should be.
        "bitflip_wire_type.onnx": model[:graph_key] + bytes([model[graph_key] ^ 1]) + model[graph_key + 1:],
        # The continuation bit set on the last byte of the graph's length: it swallows the next byte and grows.
        "bitflip_length.onnx": model[:graph_value - 1] + bytes([model[graph_value - 1] | 0x80]) + model[graph_value:],
        "huge_length.onnx": model[:length_at] + varint(1 << 62) + model[graph_value:],
        "negative_dims.onnx": with_initializer(model, tensor("w2", [-3, 4], 1, struct.pack("<f", 1.0))),
        "huge_dims.onnx": with_initializer(model, tensor("w2", [1 << 31, 1 << 31, 1 << 31], 1, b"\0" * 4)),
        "raw_data_short.onnx": with_initializer(model, tensor("w2", [1000], 1, b"\0" * 8)),
        "external_escape.onnx": with_initializer(model, tensor(
            "w2", [4], 1, None, ld(13, ld(1, b"location") + ld(2, b"../../../../etc/passwd")) + vint(14, 1))),
        "unknown_op.onnx": model.replace(b"Conv", b"Cnov"),
        "opset_too_old.onnx": b"".join(
            model[s:e] if f != 8 else ld(8, ld(1, b"") + vint(2, 1)) for f, w, s, v, e in fields(model)),
    }
    tensors = {
        "truncated.pb": pb[: len(pb) // 2],
        "negative_dims.pb": tensor("x", [-1, 4], 1, b"\0" * 16),
        "huge_dims.pb": tensor("x", [1 << 40, 1 << 40], 1, b"\0" * 4),
        "raw_data_short.pb": tensor("x", [1, 3, 224, 224], 1, b"\0" * 64),
        "string.pb": vint(1, 1) + vint(2, 8) + ld(6, b"cat"),
        "external_escape.pb": tensor("x", [4], 1, None,
                                     ld(13, ld(1, b"location") + ld(2, b"/etc/passwd")) + vint(14, 1)),
        "huge_length.pb": b"".join(
            pb[s:e] if f != 9 else key(9, 2) + varint(1 << 62) + pb[v:e] for f, w, s, v, e in fields(pb)),
        "not_npy.npy": b"PK\x03\x04 this is a zip, not an npy file",
        "huge_shape.npy": npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }",
                              b"\0" * 16),
        "bad_header.npy": npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2 }", b"\0" * 16),
        "header_past_end.npy": b"\x93NUMPY\x01\x00\xff\xff{'descr': '<f4'",
        "wrong_dtype.npy": npy("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", b"\0" * 16),
        "big_endian.npy": npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", b"\0" * 8),
        "fortran_order.npy": npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", b"\0" * 16),
        "short_data.npy": npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 224, 224), }", b"\0" * 64),
        "version_9.npy": npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", b"\0" * 4, version=9),
    }
    for sub, files in (("onnx", onnx), ("tensors", tensors)):
        folder = os.path.join(OUT, sub)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        for name, data in sorted(files.items()):
            with open(os.path.join(folder, name), "wb") as f:
                f.write(data)
    total = sum(len(d) for d in list(onnx.values()) + list(tensors.values()))
    print(f"wrote {len(onnx)} models and {len(tensors)} tensor files ({total} bytes) to {OUT}")


if __name__ == "__main__":
    main()
