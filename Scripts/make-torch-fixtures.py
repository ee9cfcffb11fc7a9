#!/usr/bin/python3
"""PyTorch fixtures for the OctetFormats PyTorch reader, made with Debian's torch 1.13 (/usr/bin/python3).

Writes, from the real weights that Scripts/fetch-weights.sh puts in .cache/weights:
  .cache/weights/mobilenet_v2_zip.pth     the MobileNetV2 state_dict re-saved as a torch zip (not committed)
  .cache/weights/mobilenet_v2_deflated.pth   the same zip with its entries deflated (zlib levels 9 and 0)
  .cache/weights/mobilenet_v2_script.pt   torchvision MobileNetV2 with those weights, torch.jit.script'ed
  Fixtures/torch/<name>_keys.tsv          key, dtype, shape, and in float64 (%.6e) the sum, the sum of |x|
                                          and sum x[i]*(i%7+1) over row-major i, which catches misplaced values
and small committed test files whose every value is listed in Fixtures/torch/*_expected.tsv:
  tiny_zip.pth, tiny_legacy.pth           one tensor per dtype, strided views, a shared storage, offsets
  tiny_deflated.pth, tiny_zip64.pth       tiny_zip.pth rewritten with deflated entries / zip64 records
  checkpoint_zip.pth, checkpoint_legacy.pth  a nested checkpoint (model dict, optimizer state, list, Parameter)
  tiny_script.pt                          a small TorchScript module (conv + batch norm + linear)
Run: /usr/bin/python3 Scripts/make-torch-fixtures.py   (needs python3-torch and python3-torchvision)
With --cache-only it writes only the three copies in .cache/weights (what CI makes), leaving Fixtures/ alone.
"""
import collections, io, os, struct, sys, zipfile, zlib

import torch
import torchvision

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
WEIGHTS = os.path.join(ROOT, ".cache", "weights")
OUT = os.path.join(ROOT, "Fixtures", "torch")

DTYPE_NAMES = {torch.float32: "float32", torch.float16: "float16", torch.bfloat16: "bfloat16",
               torch.float64: "float64", torch.int64: "int64", torch.int32: "int32", torch.int16: "int16",
               torch.int8: "int8", torch.uint8: "uint8", torch.bool: "bool"}


def shape_text(t):
    return "x".join(str(d) for d in t.shape) if t.dim() else "scalar"


def write_keys(name, tensors):
    """One line per tensor: sums in float64 over the values as Octet reads them (bf16/f64 as f32)."""
    with open(os.path.join(OUT, name), "w") as f:
        f.write("key\tdtype\tshape\tsum\tabs_sum\tweighted_sum\n")
        for key, t in tensors:
            v = t.detach()
            if v.dtype in (torch.bfloat16, torch.float64):
                v = v.float()
            v = v.double().contiguous().reshape(-1)
            weights = (torch.arange(v.numel(), dtype=torch.int64) % 7 + 1).double()
            f.write(f"{key}\t{DTYPE_NAMES[t.dtype]}\t{shape_text(t)}\t{v.sum().item():.6e}\t{v.abs().sum().item():.6e}"
                    f"\t{(v * weights).sum().item():.6e}\n")


def write_values(name, tensors):
    """Every value of small tensors, row-major; floats as the f32 Octet holds, printed to round-trip."""
    with open(os.path.join(OUT, name), "w") as f:
        f.write("key\tdtype\tshape\tvalues\n")
        for key, t in tensors.items():
            v = t.detach().contiguous().reshape(-1)
            if v.is_floating_point():
                values = ",".join(f"{x:.9g}" for x in v.float().tolist())
            else:
                values = ",".join(str(int(x)) for x in v.tolist())
            f.write(f"{key}\t{DTYPE_NAMES[t.dtype]}\t{shape_text(t)}\t{values}\n")


def flatten(obj, prefix=""):
    """The dotted keys Octet gives nested containers (dict keys, list indices), tensors only."""
    out = collections.OrderedDict()
    join = lambda k: f"{prefix}.{k}" if prefix else str(k)
    if isinstance(obj, torch.Tensor):
        out[prefix or "tensor"] = obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(k, (str, int)) and not isinstance(k, bool):
                out.update(flatten(v, join(k)))
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            out.update(flatten(v, join(i)))
    return out


def tiny_tensors():
    g = torch.Generator().manual_seed(20240611)
    base = torch.arange(12, dtype=torch.float32) * 0.5 - 2
    d = collections.OrderedDict()
    d["weight"] = torch.randn(3, 4, generator=g)
    d["half"] = torch.randn(2, 3, generator=g).half()
    d["bf16"] = torch.randn(5, generator=g).bfloat16()
    d["double"] = torch.randn(2, 2, generator=g).double()
    d["long"] = torch.arange(-3, 3, dtype=torch.int64)
    d["int"] = torch.tensor([-70000, 0, 70000], dtype=torch.int32)
    d["short"] = torch.tensor([-300, 7, 300], dtype=torch.int16)
    d["int8"] = torch.tensor([-128, -1, 0, 1, 127], dtype=torch.int8)
    d["uint8"] = torch.tensor([0, 1, 200, 255], dtype=torch.uint8)
    d["bool"] = torch.tensor([True, False, True])
    d["transposed"] = torch.randn(3, 5, generator=g).t()            # strides (1, 5)
    d["stepped"] = torch.arange(20, dtype=torch.float32)[::3]       # stride 3
    d["expanded"] = torch.randn(3, 1, generator=g).expand(3, 4)     # stride 0
    d["shared_matrix"] = base.view(3, 4)                            # these three share one storage
    d["shared_row"] = base[4:8]                                     # storage offset 4
    d["shared_tail_t"] = base[2:].view(2, 5).t()                    # offset 2, transposed
    d["scalar"] = torch.tensor(3.5)
    d["empty"] = torch.zeros(0, 3)
    return d


def checkpoint():
    g = torch.Generator().manual_seed(7)
    w = torch.randn(4, 2, generator=g)
    model = collections.OrderedDict([("fc.weight", w), ("fc.bias", torch.randn(4, generator=g))])
    return {"model": model, "epoch": 3, "name": "run-1",
            "optimizer": {"state": {0: {"momentum_buffer": torch.randn(4, 2, generator=g)}},
                          "param_groups": [{"lr": 0.1, "params": [0, 1]}]},
            "history": [torch.tensor([0.5, 0.25]), torch.tensor([1, 2, 3])],
            "param": torch.nn.Parameter(torch.randn(3, generator=g)),
            "tied": w}


def rewrite_zip(src, dst, deflate):
    """Copies a torch zip entry by entry with zipfile: deflated (alternating zlib levels 9 and 0, so both
    Huffman and stored blocks appear), or stored with zip64 records forced."""
    with zipfile.ZipFile(src) as zin:
        infos = zin.infolist()
        if deflate:
            with zipfile.ZipFile(dst, "w") as zout:
                for i, info in enumerate(infos):
                    fixed_date = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
                    zout.writestr(fixed_date, zin.read(info), compress_type=zipfile.ZIP_DEFLATED,
                                  compresslevel=9 if i % 2 == 0 else 0)
        else:
            write_zip64(dst, [(info.filename, zin.read(info)) for info in infos])


def write_zip64(dst, entries):
    """A stored zip whose central directory uses zip64 fields throughout (0xFFFFFFFF sizes and offsets,
    a zip64 extra field per entry, the zip64 end record and locator), as torch writes past 4 GiB."""
    out = io.BytesIO()
    central = []
    for name, data in entries:
        offset = out.tell()
        crc = zlib.crc32(data) & 0xFFFFFFFF
        n = name.encode()
        extra = struct.pack("<HHQQ", 1, 16, len(data), len(data))
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 0, 0, 0, crc, 0xFFFFFFFF, 0xFFFFFFFF, len(n), len(extra)))
        out.write(n + extra + data)
        cextra = struct.pack("<HHQQQ", 1, 24, len(data), len(data), offset)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 0, 0, 0, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                                   len(n), len(cextra), 0, 0, 0, 0, 0xFFFFFFFF) + n + cextra)
    cd_offset = out.tell()
    for c in central:
        out.write(c)
    cd_size = out.tell() - cd_offset
    eocd64 = out.tell()
    out.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, len(entries), len(entries), cd_size, cd_offset))
    out.write(struct.pack("<IIQI", 0x07064B50, 0, eocd64, 1))
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0))
    with open(dst, "wb") as f:
        f.write(out.getvalue())
    with zipfile.ZipFile(dst) as z:  # Python's reader must agree
        assert z.testzip() is None and [i.filename for i in z.infolist()] == [e[0] for e in entries]


class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3, bias=False)
        self.bn = torch.nn.BatchNorm2d(4)
        self.head = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 2))

    def forward(self, x):
        return self.head(torch.relu(self.bn(self.conv(x))).mean((2, 3), keepdim=True))


def main():
    cache_only = sys.argv[1:] == ["--cache-only"]
    if sys.argv[1:] and not cache_only:
        sys.exit("usage: make-torch-fixtures.py [--cache-only]")
    if not cache_only:
        committed_files()
    real_weight_copies(cache_only)


def committed_files():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    tiny = tiny_tensors()
    torch.save(tiny, os.path.join(OUT, "tiny_zip.pth"))
    torch.save(tiny, os.path.join(OUT, "tiny_legacy.pth"), _use_new_zipfile_serialization=False)
    rewrite_zip(os.path.join(OUT, "tiny_zip.pth"), os.path.join(OUT, "tiny_deflated.pth"), deflate=True)
    rewrite_zip(os.path.join(OUT, "tiny_zip.pth"), os.path.join(OUT, "tiny_zip64.pth"), deflate=False)
    write_values("tiny_expected.tsv", tiny)
    for name in ("tiny_deflated.pth", "tiny_zip64.pth"):
        back = torch.load(os.path.join(OUT, name))
        assert all(torch.equal(back[k], v) for k, v in tiny.items()), name

    ckpt = checkpoint()
    torch.save(ckpt, os.path.join(OUT, "checkpoint_zip.pth"))
    torch.save(ckpt, os.path.join(OUT, "checkpoint_legacy.pth"), _use_new_zipfile_serialization=False)
    write_values("checkpoint_expected.tsv", flatten(ckpt))

    module = Tiny().eval()
    with torch.no_grad():
        module.bn.running_mean.uniform_(-1, 1)
        module.bn.running_var.uniform_(0.5, 2)
    torch.jit.script(module).save(os.path.join(OUT, "tiny_script.pt"))
    write_values("tiny_script_expected.tsv", module.state_dict())


def real_weight_copies(cache_only):
    """The zip and TorchScript copies of MobileNetV2, and (unless cache_only) the real weights' references."""
    def real(name):
        path = os.path.join(WEIGHTS, name)
        if not os.path.exists(path):
            sys.exit(f"{path} is missing: run Scripts/fetch-weights.sh first")
        return path

    mobilenet = torch.load(real("mobilenet_v2-b0353104.pth"), map_location="cpu")
    if not cache_only:
        write_keys("mobilenet_v2_keys.tsv", mobilenet.items())
    torch.save(mobilenet, os.path.join(WEIGHTS, "mobilenet_v2_zip.pth"))
    rewrite_zip(os.path.join(WEIGHTS, "mobilenet_v2_zip.pth"), os.path.join(WEIGHTS, "mobilenet_v2_deflated.pth"), deflate=True)
    model = torchvision.models.mobilenet_v2()
    model.load_state_dict(mobilenet)
    torch.jit.script(model.eval()).save(os.path.join(WEIGHTS, "mobilenet_v2_script.pt"))
    if cache_only:
        return
    write_keys("efficientnet_lite0_keys.tsv", torch.load(real("efficientnet-lite0-57934424.pth"), map_location="cpu").items())
    write_keys("resnet18_weights_keys.tsv", torch.load(real("weights.pth"), map_location="cpu").items())
    write_keys("silero_vad_keys.tsv", torch.jit.load(real("silero_vad.jit"), map_location="cpu").state_dict().items())


if __name__ == "__main__":
    main()
