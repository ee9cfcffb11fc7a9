#!/usr/bin/env bash
# Octet's CPU float latency against onnxruntime's, same models, same threads, same repeats, one run.
#
#   Scripts/bench-cpu.sh [--threads 2] [--repeat 30]
# Models: Fixtures/mobilenet_v2.onnx and .cache/bench/resnet50.onnx (made by Scripts/make-bench-models.py
# with Debian's torch when missing). Builds the release `octet` first. Prints model, Octet's median (ms),
# onnxruntime's median (ms) and their ratio; batch 1, random inputs.
set -euo pipefail
cd "$(dirname "$0")/.."

threads=2
repeat=30
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    *) echo "usage: Scripts/bench-cpu.sh [--threads N] [--repeat N]" >&2; exit 2 ;;
  esac
done

resnet=.cache/bench/resnet50.onnx
if [ ! -f "$resnet" ]; then
  /usr/bin/python3 Scripts/make-bench-models.py
fi
swift build -c release --product octet >&2
octet=.build/release/octet

median() { python3 -c 'import json,sys; print("%.2f" % json.load(sys.stdin)["median_ms"])'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), threads $threads, repeat $repeat"
printf '%-16s %12s %12s %8s\n' model "octet (ms)" "ort (ms)" ratio
for model in Fixtures/mobilenet_v2.onnx "$resnet"; do
  ours=$("$octet" bench "$model" --target cpu --repeat "$repeat" --threads "$threads" --json | median)
  theirs=$(python3 Scripts/bench_ort.py "$model" --threads "$threads" --repeat "$repeat" | median)
  ratio=$(python3 -c "print('%.2f' % ($ours / $theirs))")
  printf '%-16s %12s %12s %8s\n' "$(basename "$model" .onnx)" "$ours" "$theirs" "$ratio"
done
