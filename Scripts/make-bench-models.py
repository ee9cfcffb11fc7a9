#!/usr/bin/env python3
"""Exports the models Scripts/bench-cpu.sh times that are too large to commit.

Run with Debian's python3 (torch 1.13, torchvision 0.14):
    /usr/bin/python3 Scripts/make-bench-models.py
Writes .cache/bench/resnet50.onnx: torchvision's ResNet-50 architecture with seeded random weights
(latency does not depend on the weight values), a symbolic batch, opset 13, BatchNorm folded into the convs
as torch.onnx does in eval mode. About 100 MB, so it stays in the ignored cache.
"""
import os

import torch
import torchvision

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, ".cache", "bench")


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    model = torchvision.models.resnet50(weights=None).eval()
    path = os.path.join(OUT, "resnet50.onnx")
    tmp = path + ".tmp"
    with torch.no_grad():
        torch.onnx.export(model, torch.zeros(1, 3, 224, 224), tmp, opset_version=13, input_names=["input"],
                          output_names=["logits"], do_constant_folding=True,
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    os.replace(tmp, path)
    print(f"resnet50: wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
