#!/usr/bin/env python3
"""Hostile PyTorch files for the reader's tests, in Fixtures/corrupt/pytorch/.

Each is derived from Fixtures/torch/tiny_zip.pth or tiny_legacy.pth (written by make-torch-fixtures.py),
or is a pickle written opcode by opcode here. Nothing is ever unpickled or run: this script needs no torch
and never calls pickle.load. Run: python3 Scripts/make-corrupt-pytorch.py
"""
import io, os, struct, zipfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SRC = os.path.join(ROOT, "Fixtures", "torch")
OUT = os.path.join(ROOT, "Fixtures", "corrupt", "pytorch")


# --- Pickle opcodes, written by hand -----------------------------------------------------------
def proto(n=2): return b"\x80" + bytes([n])
def glob(module, name): return b"c" + module.encode() + b"\n" + name.encode() + b"\n"
def text(s): b = s.encode(); return b"X" + struct.pack("<I", len(b)) + b
def int_(n): return b"J" + struct.pack("<i", n)
def long1(n): b = n.to_bytes((n.bit_length() + 8) // 8, "little", signed=True); return b"\x8a" + bytes([len(b)]) + b
def tup(*items): return b"(" + b"".join(items) + b"t"
MARK, STOP, REDUCE, EMPTY_DICT, EMPTY_TUPLE, SETITEMS, BINPERSID = b"(", b".", b"R", b"}", b")", b"u", b"Q"
NEWFALSE = b"\x89"


def storage_pid(key, numel, storage="FloatStorage"):
    return tup(text("storage"), glob("torch", storage), text(key), text("cpu"), long1(numel)) + BINPERSID


def tensor(key, numel, size, stride, offset=0):
    """_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks)."""
    return (glob("torch._utils", "_rebuild_tensor_v2")
            + tup(storage_pid(key, numel), long1(offset), tup(*map(long1, size)), tup(*map(long1, stride)),
                  NEWFALSE, glob("collections", "OrderedDict") + EMPTY_TUPLE + REDUCE)
            + REDUCE)


def state_dict(*items):
    """OrderedDict with (name, value-pickle) items."""
    return glob("collections", "OrderedDict") + EMPTY_TUPLE + REDUCE + MARK + b"".join(text(k) + v for k, v in items) + SETITEMS


def torch_zip(name, data_pkl, storages=(), code=False):
    """A torch-style zip: archive/data.pkl, archive/data/<key> (stored, as torch writes them);
    with `code`, a code/ entry too, which makes it a TorchScript archive."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        def add(entry, data, method=zipfile.ZIP_STORED):
            z.writestr(zipfile.ZipInfo(entry, date_time=(2024, 1, 1, 0, 0, 0)), data, compress_type=method)
        if data_pkl is not None:
            add("archive/data.pkl", data_pkl)
        for key, data in storages:
            add(f"archive/data/{key}", data)
        add("archive/version", b"3\n")
        if code:
            add("archive/code/__torch__.py", b"class Evil(Module):\n  pass\n")
    write(name, buf.getvalue())


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def legacy(obj_pickle, keys_pickle=proto() + b"]" + STOP, data=b""):
    """The legacy layout: magic, protocol 1001, sys_info, the object, the key list, the storages."""
    sys_info = proto() + EMPTY_DICT + MARK + text("little_endian") + b"\x88" + SETITEMS + STOP
    return (proto() + long1(0x1950A86A20F9469CFC6C) + STOP + proto() + b"M\xe9\x03" + STOP + sys_info
            + obj_pickle + keys_pickle + data)


def replace_entry(src_bytes, entry, transform):
    """Finds an entry's stored data in a zip file and rewrites its bytes in place (same length)."""
    z = zipfile.ZipFile(io.BytesIO(src_bytes))
    info = z.getinfo(entry)
    local = info.header_offset
    n, e = struct.unpack_from("<HH", src_bytes, local + 26)
    start = local + 30 + n + e
    out = bytearray(src_bytes)
    out[start:start + info.compress_size] = transform(bytes(out[start:start + info.compress_size]))
    return bytes(out)


def main():
    os.makedirs(OUT, exist_ok=True)
    tiny = open(os.path.join(SRC, "tiny_zip.pth"), "rb").read()
    tiny_legacy = open(os.path.join(SRC, "tiny_legacy.pth"), "rb").read()
    four_floats = struct.pack("<4f", 1, 2, 3, 4)

    # Zip structure.
    write("truncated_zip.pth", tiny[: len(tiny) * 6 // 10])
    write("truncated_legacy.pth", tiny_legacy[: len(tiny_legacy) - 40])
    first_storage = next(n for n in zipfile.ZipFile(io.BytesIO(tiny)).namelist() if "/data/" in n)
    write("bad_crc.pth", replace_entry(tiny, first_storage, lambda d: bytes([d[0] ^ 0x55]) + d[1:]))
    eocd = tiny.rindex(b"PK\x05\x06")
    write("bad_central_directory_offset.pth", tiny[: eocd + 16] + struct.pack("<I", 0x7FFF0000) + tiny[eocd + 20:])
    cd = struct.unpack_from("<I", tiny, eocd + 16)[0]
    write("bad_local_header_offset.pth", tiny[: cd + 42] + struct.pack("<I", len(tiny) + 1000) + tiny[cd + 46:])
    torch_zip("no_data_pkl.pth", None)
    torch_zip("empty_data_pkl.pth", b"")
    # A deflate stream whose first block has the reserved type 3.
    data = proto() + b"}" + STOP
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("archive/data.pkl", date_time=(2024, 1, 1, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED)
    blob = replace_entry(buf.getvalue(), "archive/data.pkl", lambda d: b"\x07" + d[1:])
    write("bad_deflate_block.pth", blob)

    # Pickles that must not run.
    torch_zip("os_system.pth", proto() + glob("os", "system") + text("echo pwned") + b"\x85" + REDUCE + STOP)
    write("os_system_legacy.pth", legacy(proto() + glob("os", "system") + text("echo pwned") + b"\x85" + REDUCE + STOP))
    torch_zip("builtins_eval_stack_global.pth",
              proto(4) + b"\x8c\x08builtins\x8c\x04eval\x93" + text("1+1") + b"\x85" + REDUCE + STOP)
    torch_zip("whole_module.pth", proto() + glob("torch.nn.modules.conv", "Conv2d") + EMPTY_TUPLE + b"\x81" + STOP)
    script_object = glob("__torch__", "Evil") + EMPTY_TUPLE + b"\x81" + EMPTY_DICT + b"b" + STOP
    torch_zip("script_class_outside_torchscript.pth", proto() + script_object)
    torch_zip("script_class_called.pt", proto() + glob("__torch__", "Evil") + text("x") + b"\x85" + REDUCE + STOP, code=True)
    torch_zip("unknown_opcode.pth", proto() + text("x") + b"i" + b"os\nsystem\n" + STOP)
    torch_zip("undefined_memo.pth", proto() + b"h\x05" + STOP)
    torch_zip("deep_nesting.pth", proto() + b"]" * 2000 + b"a" * 1999 + STOP)
    torch_zip("self_cycle.pth", proto() + b"]q\x00h\x00a" + STOP)

    # Tensors that do not fit their storages.
    torch_zip("storage_shorter_than_tensor.pth",
              proto() + state_dict(("w", tensor("0", 4, (3, 4), (4, 1)))) + STOP, [("0", four_floats)])
    torch_zip("storage_offset_past_end.pth",
              proto() + state_dict(("w", tensor("0", 4, (2,), (1,), offset=3))) + STOP, [("0", four_floats)])
    torch_zip("huge_numel.pth",
              proto() + state_dict(("w", tensor("0", 1 << 62, (1 << 62,), (1,)))) + STOP, [("0", four_floats)])
    torch_zip("huge_size.pth",
              proto() + state_dict(("w", tensor("0", 4, (1 << 31, 1 << 31, 1 << 31), (1, 1, 1)))) + STOP, [("0", four_floats)])
    torch_zip("missing_storage_entry.pth",
              proto() + state_dict(("w", tensor("7", 4, (4,), (1,)))) + STOP, [("0", four_floats)])
    write("legacy_storage_count_mismatch.pth",
          legacy(proto() + state_dict(("w", tensor("0", 4, (4,), (1,)))) + STOP,
                 proto() + b"]" + MARK + text("0") + b"e" + STOP, struct.pack("<q", 5) + four_floats))
    write("not_a_torch_file.pth", b"this is plain text, not a checkpoint\n" * 4)


if __name__ == "__main__":
    main()
