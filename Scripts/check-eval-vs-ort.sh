#!/usr/bin/env bash
# `octet eval` of the float MobileNetV2 on a .rec made by MXNet's im2rec from ../shared/imagenet-dev, against
# onnxruntime on the same records decoded and preprocessed by OpenCV the same way (shorter side 256, center
# crop 224, torch normalisation). Prints both top-1 figures and whether they agree.
# Usage: Scripts/check-eval-vs-ort.sh [REC]   (default: a fresh im2rec pack of all 100 dev photos)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.cache/mxnet-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import mxnet, cv2" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q 'mxnet==1.9.1' 'numpy<1.24' 'opencv-python-headless<4.9' pillow
fi
python3 -c "import onnxruntime" 2>/dev/null || python3 -m pip install -q onnxruntime==1.31.1
swift build -c release --product octet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rec=${1:-}
if [ -z "$rec" ]; then
    im2rec=$("$venv/bin/python" -c "import mxnet, os; print(os.path.join(os.path.dirname(mxnet.__file__), 'tools', 'im2rec.py'))")
    # labels.tsv order is the class index order; im2rec's .lst is index, label, path.
    awk -F'\t' 'NR>0 && $1 ~ /\.(JPEG|jpg|jpeg)$/ {print NR-1 "\t" $2 "\t" $1}' ../shared/imagenet-dev/labels.tsv > "$work/dev.lst"
    "$venv/bin/python" "$im2rec" "$work/dev" ../shared/imagenet-dev --resize 256 --quality 90 --num-thread 1 >/dev/null
    rec="$work/dev.rec"
fi
"$venv/bin/python" Scripts/eval_vs_ort.py prepare "$rec" "$work/ort.npy"
ort=$(python3 Scripts/eval_vs_ort.py score "$work/ort.npy" Fixtures/mobilenet_v2.onnx)
octet=$(.build/release/octet eval Fixtures/mobilenet_v2.onnx --data "$rec" --json)
echo "onnxruntime (OpenCV decode): $ort" | cut -c1-120
echo "octet eval:                  $octet"
python3 - "$ort" "$octet" <<'PY'
import json, sys
o, t = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("same top-1: %s (onnxruntime %.2f%%, octet %.2f%%, %d images)" % (o["top1"] == t["top1"], o["top1"], t["top1"], t["images"]))
sys.exit(0 if o["top1"] == t["top1"] else 1)
PY
