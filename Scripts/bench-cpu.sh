#!/usr/bin/env bash
# Octet's CPU latency against onnxruntime's, same models, inputs, threads and repeats, in one run.
#
#   Scripts/bench-cpu.sh [--repeat 30] [--rounds 5] [--threads 2] [--batches "1 16"] [--float-threads "1 2"]
# Models: Fixtures/mobilenet_v2.onnx, Fixtures/efficientnet_lite0.onnx and .cache/bench/resnet50.onnx
# (made by Scripts/make-bench-models.py with Debian's torch when missing; left out when that cannot run).
# Float: every model at each batch and thread count, with images/s. Int8: onnxruntime's own QDQ file of
# each model (Scripts/make-int8-bench-models.py), batch 1, --threads, run by both; Octet also on its
# AVX2-only integer path. Random inputs.
#
# Each row takes --rounds rounds; a round times Octet then onnxruntime, --repeat runs each (batches above 4
# take fewer runs, at least 6). Shared machines have slow spells of seconds that one process can fall into
# and the next one not: each side's latency is the median of its round medians, and the ratio
# (Octet / onnxruntime) is the median of the per-round ratios, so one spell moves neither.
set -euo pipefail
cd "$(dirname "$0")/.."

threads=2
repeat=30
rounds=5
batches="1 16"
float_threads="1 2"
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --batches) batches=$2; shift 2 ;;
    --float-threads) float_threads=$2; shift 2 ;;
    *) echo "usage: Scripts/bench-cpu.sh [--repeat N] [--rounds N] [--threads N] [--batches \"1 16\"] [--float-threads \"1 2\"]" >&2
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

field() { python3 -c "import json,sys; print('%.4f' % json.load(sys.stdin)['$1'])"; }
runs_for() { if [ "$1" -gt 4 ]; then echo $(( repeat * 4 / $1 > 6 ? repeat * 4 / $1 : 6 )); else echo "$repeat"; fi; }
# ours MODEL THREADS BATCH [FLAGS...] / theirs MODEL THREADS BATCH: one round's median ms. Octet's JSON is
# read only after it exits: a parser started beside it in a pipe takes the second core while the timed
# runs go on.
ours() {
  local json
  json=$("$octet" bench "$1" --target cpu --repeat "$(runs_for "$3")" --threads "$2" --batch "$3" "${@:4}" --json)
  field median_ms <<< "$json"
}
theirs() { python3 Scripts/bench_ort.py "$1" --threads "$2" --repeat "$(runs_for "$3")" --batch "$3" | field median_ms; }
# pair MODEL THREADS BATCH [OCTET FLAGS...]: --rounds alternating rounds; prints "octet_ms ort_ms ratio".
pair() {
  local a b pairs=()
  for _ in $(seq "$rounds"); do
    a=$(ours "$@"); b=$(theirs "$1" "$2" "$3"); pairs+=("$a:$b")
  done
  python3 -c '
import statistics, sys
rounds = [tuple(map(float, p.split(":"))) for p in sys.argv[1:]]
print("%.2f %.2f %.2f" % (statistics.median(a for a, _ in rounds), statistics.median(b for _, b in rounds),
                          statistics.median(a / b for a, b in rounds)))' "${pairs[@]}"
}
# solo MODEL THREADS BATCH [FLAGS...]: Octet alone, the median of --rounds round medians.
solo() {
  local values=()
  for _ in $(seq "$rounds"); do values+=("$(ours "$@")"); done
  python3 -c 'import statistics, sys; print("%.2f" % statistics.median(map(float, sys.argv[1:])))' "${values[@]}"
}
ratio() { python3 -c "print('%.2f' % ($1 / $2))"; }
per_second() { python3 -c "print('%.0f' % ($2 * 1000 / $1))"; }

flags=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -xE 'avx2|fma|avx512f|avx512bw|avx512vl|avx512_vnni' | xargs || true)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); CPU flags: $flags"
echo "octet kernels: $("$octet" bench Fixtures/mobilenet_v2.onnx --repeat 1 --warmup 0 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["isa"])')"
echo "onnxruntime $(python3 -c 'import onnxruntime; print(onnxruntime.__version__)'): MLAS picks its kernels from the same CPU flags at run time"
echo "$rounds alternating rounds of $repeat runs a side (batches above 4: $(runs_for 16) at 16); ms: median of round medians; ratio: median of per-round octet / onnxruntime"
echo
echo "float"
printf '%-20s %5s %7s | %9s %9s %6s | %9s %9s\n' model batch threads "octet" "ort" ratio "octet/s" "ort/s"
for model in "${models[@]}"; do
  name=$(basename "$model" .onnx)
  for batch in $batches; do
    for t in $float_threads; do
      read -r of tf r <<< "$(pair "$model" "$t" "$batch")"
      printf '%-20s %5s %7s | %9s %9s %6s | %9s %9s\n' "$name" "$batch" "$t" "$of" "$tf" "$r" \
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
  read -r oi ti r <<< "$(pair "$int8" "$threads" 1)"
  read -r oa _ ra <<< "$(pair "$int8" "$threads" 1 --isa avx2)"
  of=$(solo "$model" "$threads" 1)
  printf '%-20s %9s %9s %6s | %10s %6s | %9s %9s\n' "$name" "$oi" "$ti" "$r" "$oa" "$ra" \
    "$of" "$(ratio "$of" "$oi")"
done
