#!/usr/bin/env bash
# Octet's CPU latency against onnxruntime's, float and int8, same models, threads and repeats, one run.
#
#   Scripts/bench-cpu.sh [--threads 2] [--repeat 30] [--batch 1]
# Models: Fixtures/mobilenet_v2.onnx, Fixtures/efficientnet_lite0.onnx and .cache/bench/resnet50.onnx
# (made by Scripts/make-bench-models.py with Debian's torch when missing; left out when that cannot run).
# Int8: onnxruntime's own QDQ file of each model (Scripts/make-int8-bench-models.py), run by both; Octet
# also on its AVX2-only integer path. Prints medians (ms) and ratios; random inputs.
set -euo pipefail
cd "$(dirname "$0")/.."

threads=2
repeat=30
batch=1
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    *) echo "usage: Scripts/bench-cpu.sh [--threads N] [--repeat N] [--batch N]" >&2; exit 2 ;;
  esac
done

python3 -c "import onnxruntime, onnx, sympy" 2>/dev/null || python3 -m pip install -q onnxruntime==1.31.1 onnx==1.22.0 sympy
resnet=.cache/bench/resnet50.onnx
if [ ! -f "$resnet" ]; then
  /usr/bin/python3 Scripts/make-bench-models.py || echo "ResNet-50 not made (needs Debian's python3-torch); left out" >&2
fi
models=(Fixtures/mobilenet_v2.onnx Fixtures/efficientnet_lite0.onnx)
[ -f "$resnet" ] && models+=("$resnet")
for model in "${models[@]}"; do
  name=$(basename "$model" .onnx)
  [ -f ".cache/bench/$name.ort-int8.onnx" ] || python3 Scripts/make-int8-bench-models.py "$model" >&2
done
swift build -c release --product octet >&2
octet=.build/release/octet

median() { python3 -c 'import json,sys; print("%.2f" % json.load(sys.stdin)["median_ms"])'; }
ratio() { python3 -c "print('%.2f' % ($1 / $2))"; }
ours() { "$octet" bench "$1" --target cpu --repeat "$repeat" --threads "$threads" --batch "$batch" "${@:2}" --json | median; }
theirs() { python3 Scripts/bench_ort.py "$1" --threads "$threads" --repeat "$repeat" --batch "$batch" | median; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), threads $threads, repeat $repeat, batch $batch"
echo "octet ISA: $("$octet" bench Fixtures/mobilenet_v2.onnx --repeat 1 --warmup 0 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["isa"])')"
printf '%-20s %9s %9s %6s | %9s %9s %6s | %10s %6s | %9s\n' model "octet f32" "ort f32" ratio \
  "octet i8" "ort i8" ratio "octet avx2" ratio "f32/i8"
for model in "${models[@]}"; do
  name=$(basename "$model" .onnx)
  int8=".cache/bench/$name.ort-int8.onnx"
  of=$(ours "$model"); tf=$(theirs "$model")
  oi=$(ours "$int8"); ti=$(theirs "$int8"); oa=$(ours "$int8" --isa avx2)
  printf '%-20s %9s %9s %6s | %9s %9s %6s | %10s %6s | %9s\n' "$name" "$of" "$tf" "$(ratio "$of" "$tf")" \
    "$oi" "$ti" "$(ratio "$oi" "$ti")" "$oa" "$(ratio "$oa" "$ti")" "$(ratio "$of" "$oi")"
done
