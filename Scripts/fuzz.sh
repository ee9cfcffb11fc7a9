#!/usr/bin/env bash
# Fuzzes Octet's parsers with libFuzzer (shipped with the Swift toolchain) under AddressSanitizer.
#
#   Scripts/fuzz.sh --list              the targets
#   Scripts/fuzz.sh TARGET SECONDS      runs TARGET for SECONDS over its corpus; exits non-zero on a finding
#   Scripts/fuzz.sh --smoke SECONDS     every target for SECONDS each (CI runs this)
#   FUZZ_RUNS=1000000 Scripts/fuzz.sh TARGET SECONDS   stops after that many inputs, or SECONDS
#
# A target's corpus is Fixtures/fuzz/TARGET/ (committed: inputs that once crashed, kept as regressions)
# plus the fixtures of its format listed below, as seeds. What libFuzzer adds goes to .build/fuzz-corpus/
# (ignored); a crash, leak, timeout or oversized allocation is written to .build/fuzz-findings/ and
# should be committed to Fixtures/fuzz/TARGET/ once fixed: every later run starts from it.
set -euo pipefail
cd "$(dirname "$0")/.."

seeds() {
    case "$1" in
        onnx) echo Fixtures/corrupt/onnx Fixtures/int8 Fixtures/int8-hostile Fixtures/legacy-opset ;;
        onnx-pipeline) echo Fixtures/int8 Fixtures/int8-hostile Fixtures/legacy-opset ;;
        onnx-tensor) echo Fixtures/corrupt/tensors ;;
        pytorch) echo Fixtures/corrupt/pytorch ;;
        jpeg) echo Fixtures/jpeg Fixtures/corrupt/jpeg ;;
        recordio) echo Fixtures/corrupt/rec Fixtures/rec/magic.rec ;;
        recordio-index) echo Fixtures/corrupt/rec Fixtures/rec ;;
        npy) echo Fixtures/corrupt/tensors Fixtures/calibration ;;
        scales) echo ;;
        *) echo "unknown fuzz target $1 (Scripts/fuzz.sh --list)" >&2; exit 2 ;;
    esac
}

build() {
    # The toolchain's default linker (gold) fails on ASan + libFuzzer objects; lld links them.
    local toolset=.build/fuzz-toolset.json
    mkdir -p .build
    echo '{"schemaVersion": "1.0", "swiftCompiler": {"extraCLIOptions": ["-use-ld=lld"]}}' > "$toolset"
    swift build -c release --product octet-fuzz --scratch-path .build/fuzz --toolset "$toolset" \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -DOCTET_FUZZER -Xcc -fsanitize=fuzzer-no-link,address >&2
    echo .build/fuzz/release/octet-fuzz
}

run_target() {
    local binary=$1 target=$2 seconds=$3
    local work=.build/fuzz-corpus/$target findings=.build/fuzz-findings
    mkdir -p "$work" "$findings" "Fixtures/fuzz/$target"
    local files=()
    for s in $(seeds "$target") "Fixtures/fuzz/$target"; do
        if [ -d "$s" ]; then
            while IFS= read -r f; do files+=("$f"); done < <(find "$s" -type f -size -256k)
        elif [ -f "$s" ]; then
            files+=("$s")
        fi
    done
    [ ${#files[@]} -gt 0 ] && cp -f "${files[@]}" "$work/" 2>/dev/null || true
    # No input may allocate over 2 GB, run over 1 s, or leak.
    OCTET_FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=1 "$binary" "$work" \
        -max_total_time="$seconds" -runs="${FUZZ_RUNS:--1}" -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=1 -max_len=262144 \
        -artifact_prefix="$findings/$target-" -print_final_stats=1 2>&1 \
        | grep -E "^(INFO: seed corpus|#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written|Done [0-9]+ runs)" || true
    return "${PIPESTATUS[0]}"
}

case "${1:-}" in
    --list)
        binary=$(build)
        OCTET_FUZZ_TARGET=list ASAN_OPTIONS=detect_leaks=0 "$binary"
        ;;
    --smoke)
        seconds=${2:-5}
        binary=$(build)
        status=0
        for target in $(OCTET_FUZZ_TARGET=list ASAN_OPTIONS=detect_leaks=0 "$binary" | awk 'NR > 1 { print $1 }'); do
            echo "== $target ($seconds s)"
            run_target "$binary" "$target" "$seconds" || { echo "FINDING in $target"; status=1; }
        done
        exit $status
        ;;
    "" | -h | --help)
        sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
        ;;
    *)
        [ $# -eq 2 ] || { echo "usage: Scripts/fuzz.sh TARGET SECONDS (or --list, --smoke SECONDS)" >&2; exit 2; }
        seeds "$1" > /dev/null
        binary=$(build)
        run_target "$binary" "$1" "$2"
        ;;
esac
