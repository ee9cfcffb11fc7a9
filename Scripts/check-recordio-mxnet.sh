#!/usr/bin/env bash
# MXNet cross-checks of Octet's RecordIO (DATA.md: mxnet 1.9.1 in a venv with numpy<1.24, opencv<4.9).
#   Scripts/check-recordio-mxnet.sh fixtures   im2rec packs dev photos into Fixtures/rec/{dev8,imagenet-dev-32}.rec,
#                                              MXIndexedRecordIO writes Fixtures/rec/magic.rec; TSVs of what MXNet reads
#   Scripts/check-recordio-mxnet.sh octet      MXNet reads .cache/octet-written.rec, which the Swift test
#                                              RecordIOMXNetTests writes (run `swift test --filter RecordIO` first)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.cache/mxnet-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import mxnet, cv2, PIL" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q 'mxnet==1.9.1' 'numpy<1.24' 'opencv-python-headless<4.9' pillow
fi
py="$venv/bin/python"
helper=Scripts/recordio_mxnet.py
im2rec=$("$py" -c "import mxnet, os; print(os.path.join(os.path.dirname(mxnet.__file__), 'tools', 'im2rec.py'))")
photos=../shared/imagenet-dev

case "${1:-fixtures}" in
fixtures)
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    "$py" "$helper" lists "$work"
    for name in dev8 imagenet-dev-32; do
        "$py" "$im2rec" "$work/$name" "$photos" --resize 256 --quality 90 --num-thread 1 >/dev/null
        cp "$work/$name.rec" "$work/$name.idx" Fixtures/rec/
        cp "$work/$name.lst" Fixtures/rec/
        "$py" "$helper" describe "Fixtures/rec/$name.rec" "Fixtures/rec/$name.tsv" images
    done
    "$py" "$helper" magic Fixtures/rec
    "$py" "$helper" describe Fixtures/rec/magic.rec Fixtures/rec/magic.tsv
    ls -l Fixtures/rec
    ;;
octet)
    if [ ! -f .cache/octet-written.rec ]; then
        echo "no .cache/octet-written.rec: run 'swift test --filter RecordIOMXNetTests' first" >&2
        exit 1
    fi
    "$py" "$helper" check-octet .cache/octet-written.rec .cache/octet-written.expected.tsv
    ;;
*)
    echo "usage: $0 [fixtures|octet]" >&2
    exit 2
    ;;
esac
