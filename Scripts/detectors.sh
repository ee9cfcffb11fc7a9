#!/usr/bin/env bash
# Int8 on the real detectors and OCR models: output SQNR of Octet's default beside onnxruntime's best quantize_static.
# Usage: Scripts/detectors.sh [--calib N] [--eval N] [--models yolov8n,ppocr_det,ppocr_rec,ppocr_cls,layout_cdla]
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c "import onnxruntime, onnx, PIL, sympy" 2>/dev/null || python3 -m pip install -q onnxruntime==1.31.1 onnx pillow sympy
Scripts/fetch-models.sh >/dev/null
swift build -c release --product octet
exec python3 Scripts/detectors.py "$@"
