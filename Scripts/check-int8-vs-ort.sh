#!/usr/bin/env bash
# Octet's integer path against onnxruntime on whole QDQ models (see Scripts/check-int8-vs-ort.py).
# Usage: Scripts/check-int8-vs-ort.sh [--limit N] [--views]
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c "import onnxruntime, onnx, PIL, sympy" 2>/dev/null || python3 -m pip install -q onnxruntime==1.31.1 onnx==1.22.0 pillow sympy
swift build -c release --product octet
exec python3 Scripts/check-int8-vs-ort.py "$@"
