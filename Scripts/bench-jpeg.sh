#!/usr/bin/env bash
# JPEG decoding speed: `octet decode` (release build, one thread) against djpeg (libjpeg-turbo) over
# the dev photos, each file decoded the same number of times. Prints both and octet's time / djpeg's.
set -euo pipefail
cd "$(dirname "$0")/.."
repeat=${REPEAT:-5}
files=(../shared/imagenet-dev/*.JPEG)
command -v djpeg >/dev/null || { echo "djpeg not found (apt-get install libjpeg-turbo-progs)"; exit 1; }
swift build -c release --product octet >/dev/null
octet=$(swift build -c release --show-bin-path)/octet
ours=$("$octet" decode "${files[@]}" --repeat "$repeat" --json)
echo "octet decode: $ours"
start=$(date +%s.%N)
for ((i = 0; i < repeat; i++)); do
    for f in "${files[@]}"; do djpeg -outfile /dev/null "$f"; done
done
end=$(date +%s.%N)
djpeg_seconds=$(echo "$end - $start" | bc -l)
# The same number of djpeg runs on a 1x1 image estimates process start-up, which octet does not pay.
tiny=$(mktemp)
printf 'P6 1 1 255\n\0\0\0' | cjpeg > "$tiny"
start=$(date +%s.%N)
for ((i = 0; i < ${#files[@]} * repeat; i++)); do djpeg -outfile /dev/null "$tiny"; done
end=$(date +%s.%N)
rm -f "$tiny"
startup_seconds=$(echo "$end - $start" | bc -l)
octet_seconds=$(echo "$ours" | sed -E 's/.*"seconds":([0-9.]+).*/\1/')
echo "djpeg: $(( ${#files[@]} * repeat )) images in $djpeg_seconds s (includes one process start per image)"
echo "djpeg start-up alone: $startup_seconds s"
echo "ratio octet/djpeg: $(echo "$octet_seconds / $djpeg_seconds" | bc -l | cut -c1-5)" \
     "(against djpeg less start-up: $(echo "$octet_seconds / ($djpeg_seconds - $startup_seconds)" | bc -l | cut -c1-5))"
