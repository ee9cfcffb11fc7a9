#!/usr/bin/env bash
# Makes what Scripts/gpu-check.sh reads on a lent GPU machine, in .build/gpu (ignored by git; carry it):
# the octet binary with the Swift runtime linked in (the GPU machine has no Swift), stripped and xz'd to fit
# the working tree's travel limit, and 32 photos as a .rec. The int8 models are made there by the binary
# itself, from the bundled float models (the tree travels anyway).
#   Scripts/prepare-gpu-check.sh [PHOTOS_DIR]     (default ../shared/imagenet-dev)
set -euo pipefail
cd "$(dirname "$0")/.."
photos=${1:-../shared/imagenet-dev}
out=.build/gpu
mkdir -p "$out"
swift build -c release --static-swift-stdlib --product octet --scratch-path .build/static
strip -o "$out/octet" .build/static/release/octet
xz -9e -T0 -c "$out/octet" > "$out/octet.xz"
rm "$out/octet"
# The first 32 labelled photos (labels.tsv: file, class index, class name), paths made absolute.
awk -F '\t' -v dir="$(cd "$photos" && pwd)" 'NR > 1 && NR <= 33 { print dir "/" $1 "\t" $2 }' "$photos/labels.tsv" > "$out/photos32.tsv"
.build/static/release/octet pack "$out/photos32.tsv" -o "$out/photos32.rec" --resize 256 --quality 90
rm "$out/photos32.tsv"
du -ch "$out"/* | tail -n 1
echo "prepare-gpu-check: carry .build/gpu; on the GPU machine run Scripts/gpu-check.sh"
