#!/usr/bin/env bash
# Everything the CUDA backend needs a GPU for, in one call on a lent GPU machine (which has nvcc, the driver
# and PyTorch, but no Swift). Scripts/prepare-gpu-check.sh makes what it reads, under .build/gpu: the static
# octet binary (xz) and 32 photos. The int8 models are made here, by that binary on this machine's CPU:
# MobileNetV2 and EfficientNet-Lite0 from the bundled float models, and a ResNet-50 from torchvision's
# architecture with random weights (the speed and the CPU/CUDA identity do not depend on the values). Every
# conv is quantized (--skip-conv none), so the whole network runs on the integer path and the CUDA logits
# must equal the CPU's bit for bit. Every step runs even when one before it failed; the summary at the end
# says which failed. Results go to $OUT (default /tmp/gpu-check).
#   Scripts/gpu-check.sh [--quick]      (--quick: no sanitizer, batch 1 only: about 5 minutes on an H100)
# Run it with the binary's folder carried: `carry: [".build/gpu"]`, command `Scripts/gpu-check.sh --quick`,
# and bring back $OUT's test-ops.txt and speed.jsonl. The whole check takes about 9 minutes.
set -uo pipefail
cd "$(dirname "$0")/.."
quick=0
[ "${1:-}" = "--quick" ] && quick=1
out=${OUT:-/tmp/gpu-check}
gpu=.build/gpu
mkdir -p "$out"
export OCTET_CACHE="$out/cache"
export OCTET_KERNELS="$(pwd)/Kernels"
bin="$out/octet"
if [ ! -x "$bin" ]; then xz -dc "$gpu/octet.xz" > "$bin" && chmod +x "$bin"; fi
failed=()
step() {
    local name=$1; shift
    echo "== $name"
    local start=$SECONDS
    if "$@"; then echo "-- ok: $name ($((SECONDS - start)) s)"; else echo "-- FAILED: $name ($((SECONDS - start)) s)"; failed+=("$name"); fi
}

models="$out/models"
mkdir -p "$models"
quantize() { "$bin" quantize "$1" --calib "$gpu/photos32.rec" --samples 32 --skip-conv none -o "$2" | tail -n 1; }
step "quantize mobilenet_v2" quantize Fixtures/mobilenet_v2.onnx "$models/mobilenet_v2.int8.onnx"
step "quantize efficientnet_lite0" quantize Fixtures/efficientnet_lite0.onnx "$models/efficientnet_lite0.int8.onnx"
step "quantize resnet50" bash -c "set -o pipefail; python3 -c 'import torch, torchvision; torch.manual_seed(0); torch.save(torchvision.models.resnet50().state_dict(), \"$out/resnet50.pth\")' \
    && '$bin' convert '$out/resnet50.pth' --arch resnet50 -o '$out/resnet50.onnx' \
    && '$bin' quantize '$out/resnet50.onnx' --calib '$gpu/photos32.rec' --samples 32 --skip-conv none -o '$models/resnet50.int8.onnx' | tail -n 1"

echo "== machine"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
command -v nvcc >/dev/null && nvcc --version | tail -n 2
"$bin" bench "$models/mobilenet_v2.int8.onnx" --target cuda --repeat 1 --warmup 0 | head -n 1

# Every op case against the CPU reference, guard bytes after every buffer.
step "test-ops" bash -c "set -o pipefail; '$bin' test-ops --target cuda > '$out/test-ops.txt'; s=\$?; grep -E 'FAIL|ERROR|UNSUPPORTED' '$out/test-ops.txt' | head -n 30; tail -n 1 '$out/test-ops.txt'; exit \$s"
if [ "$quick" = 0 ] && command -v compute-sanitizer >/dev/null; then
    # One launch at a time, so a report names the kernel that did it.
    step "memcheck" bash -c "set -o pipefail; OCTET_CUDA_GRAPHS=0 timeout 200 compute-sanitizer --tool memcheck --error-exitcode 1 '$bin' test-ops --target cuda > '$out/memcheck.txt' 2>&1; s=\$?; tail -n 5 '$out/memcheck.txt'; exit \$s"
    # No racecheck yet: it looks at shared memory, and these kernels use none.
fi

# Each int8 model on the CUDA integer path against the CPU's, on 32 photos: identical logits, bit for bit.
for model in "$models"/*.onnx; do
    name=$(basename "$model" .onnx)
    step "identical $name" bash -c "set -o pipefail; '$bin' eval '$model' --data '$gpu/photos32.rec' --target cuda --reference '$model' \
        --reference-target cpu --batch 8 --json | tee '$out/identical-$name.json' | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
print(r)
sys.exit(0 if r[\"identical\"] == r[\"images\"] else 1)'"
done

# Speed: Octet beside PyTorch fp16 on the same GPU, in the same call.
batches="1 256"
[ "$quick" = 1 ] && batches=1
: > "$out/speed.jsonl"
for model in "$models"/*.onnx; do
    for b in $batches; do
        repeat=100; [ "$b" -gt 1 ] && repeat=10
        step "bench $(basename "$model" .onnx) b$b" bash -c "timeout 240 '$bin' bench '$model' --target cuda --batch $b --repeat $repeat --warmup 5 --json | sed 's/^{/{\"model\":\"$(basename "$model" .onnx)\",/' >> '$out/speed.jsonl'"
    done
done
step "pytorch fp16" bash -c "set -o pipefail; timeout 300 python3 Scripts/bench_torch_gpu.py --batches ${batches// /,} >> '$out/speed.jsonl'"
echo "== speed (median ms, images/s)"
python3 - "$out/speed.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("{"):
        r = json.loads(line)
        print(f'{r.get("model", "?"):32} b{r.get("batch", "?"):<4} {r.get("median_ms", 0):10.3f} ms {r.get("images_per_s", 0):12.1f}/s  {r.get("peer", "octet")}')
PY

echo "== summary"
if [ ${#failed[@]} -eq 0 ]; then echo "gpu-check: every step passed"; exit 0; fi
printf 'gpu-check: FAILED: %s\n' "${failed[@]}"
exit 1
