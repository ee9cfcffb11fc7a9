#!/usr/bin/env bash
# The ONNX conformance node tests of onnx==1.22.0 (the last wheel that ships them) into .cache/onnx-tests.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d .cache/onnx-tests/node ] && exit 0
rm -rf .cache/onnx-tests.tmp
Scripts/fetch-wheel.sh onnx==1.22.0 .cache/onnx-tests.tmp 'onnx/backend/test/data/*'
mv .cache/onnx-tests.tmp/onnx/backend/test/data .cache/onnx-tests
rm -rf .cache/onnx-tests.tmp
echo "onnx node tests: $(ls .cache/onnx-tests/node | wc -l)"
