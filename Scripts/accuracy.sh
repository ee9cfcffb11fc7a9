#!/usr/bin/env bash
# Int8 accuracy table: every Octet mode beside onnxruntime's quantize_static, on ../shared/imagenet-dev.
# Usage: Scripts/accuracy.sh [--limit N] [--views] [--models mobilenet_v2,efficientnet_lite0,efficientnet_lite1,efficientnet_lite2]
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c "import onnxruntime, PIL, sympy" 2>/dev/null || python3 -m pip install -q onnxruntime==1.31.1 pillow sympy
swift build -c release --product octet
exec python3 Scripts/accuracy.py "$@"
