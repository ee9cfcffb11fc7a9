#!/usr/bin/env bash
# Octet's CPU latency against onnxruntime's, same models, inputs, threads and repeats, in one run.
#
#   Scripts/bench-cpu.sh [--repeat 30] [--threads 2] [--batches "1 16"] [--float-threads "1 2"]
# Models: Fixtures/mobilenet_v2.onnx, Fixtures/efficientnet_lite0.onnx and .cache/bench/resnet50.onnx
# (made by Scripts/make-bench-models.py with Debian's torch when missing; left out when that cannot run).
# Float: every model at each batch and thread count, with images/s. Int8: onnxruntime's own QDQ file of
# each model (Scripts/make-int8-bench-models.py), batch 1, --threads, run by both; Octet also on its
# AVX2-only integer path. Prints medians (ms) and ratios (Octet / onnxruntime); random inputs.
set -euo pipefail
cd "$(dirname "$0")/.."

threads=2
repeat=30
batches="1 16"
float_threads="1 2"
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --batches) batches=$2; shift 2 ;;
    --float-threads) float_threads=$2; shift 2 ;;
    *) echo "usage: Scripts/bench-cpu.sh [--repeat N] [--threads N] [--batches \"1 16\"] [--float-threads \"1 2\"]" >&2
       exit 2 ;;
  esac
done

python3 -c "import onnxruntime, onnx, sympy" 2>/dev/null || python3 -m pip install -q onnxruntime==1.31.1 onnx==1.22.0 sympy
resnet=.cache/bench/resnet50.onnx
# An older export had a fixed batch of 1: make it again (and its int8 file) with a symbolic one.
if [ -f "$resnet" ] && python3 -c "import onnx, sys; sys.exit(onnx.load('$resnet', load_external_data=False).graph.input[0].type.tensor_type.shape.dim[0].dim_param != '')"; then
  rm -f "$resnet" .cache/bench/resnet50.ort-int8.onnx
fi
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

field() { python3 -c "import json,sys; print('%.2f' % json.load(sys.stdin)['$1'])"; }
ratio() { python3 -c "print('%.2f' % ($1 / $2))"; }
# ours MODEL THREADS BATCH [FLAGS...] / theirs MODEL THREADS BATCH: median ms. Octet's JSON is read only
# after it exits: a parser started beside it in a pipe takes the second core while the timed runs go on.
ours() {
  local json
  json=$("$octet" bench "$1" --target cpu --repeat "$repeat" --threads "$2" --batch "$3" "${@:4}" --json)
  field median_ms <<< "$json"
}
theirs() { python3 Scripts/bench_ort.py "$1" --threads "$2" --repeat "$repeat" --batch "$3" | field median_ms; }
per_second() { python3 -c "print('%.0f' % ($2 * 1000 / $1))"; }

flags=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -xE 'avx2|fma|avx512f|avx512bw|avx512vl|avx512_vnni' | xargs || true)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); CPU flags: $flags"
echo "octet kernels: $("$octet" bench Fixtures/mobilenet_v2.onnx --repeat 1 --warmup 0 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["isa"])')"
echo "onnxruntime $(python3 -c 'import onnxruntime; print(onnxruntime.__version__)'): MLAS picks its kernels from the same CPU flags at run time"
echo "repeat $repeat; median ms; ratio = octet / onnxruntime"
echo
echo "float"
printf '%-20s %5s %7s | %9s %9s %6s | %9s %9s\n' model batch threads "octet" "ort" ratio "octet/s" "ort/s"
for model in "${models[@]}"; do
  name=$(basename "$model" .onnx)
  for batch in $batches; do
    for t in $float_threads; do
      of=$(ours "$model" "$t" "$batch"); tf=$(theirs "$model" "$t" "$batch")
      printf '%-20s %5s %7s | %9s %9s %6s | %9s %9s\n' "$name" "$batch" "$t" "$of" "$tf" "$(ratio "$of" "$tf")" \
        "$(per_second "$of" "$batch")" "$(per_second "$tf" "$batch")"
    done
  done
done
echo
echo "int8 (onnxruntime's QDQ file of each model), batch 1, $threads threads"
printf '%-20s %9s %9s %6s | %10s %6s | %9s %9s\n' model "octet i8" "ort i8" ratio "octet avx2" ratio "octet f32" "f32/i8"
for model in "${models[@]}"; do
  name=$(basename "$model" .onnx)
  int8=".cache/bench/$name.ort-int8.onnx"
  oi=$(ours "$int8" "$threads" 1); ti=$(theirs "$int8" "$threads" 1); oa=$(ours "$int8" "$threads" 1 --isa avx2)
  of=$(ours "$model" "$threads" 1)
  printf '%-20s %9s %9s %6s | %10s %6s | %9s %9s\n' "$name" "$oi" "$ti" "$(ratio "$oi" "$ti")" "$oa" "$(ratio "$oa" "$ti")" \
    "$of" "$(ratio "$of" "$oi")"
done
