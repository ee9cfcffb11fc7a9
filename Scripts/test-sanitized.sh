#!/usr/bin/env bash
# Every test again, built with AddressSanitizer (Swift and C targets) and UndefinedBehaviorSanitizer (the C
# kernels: Swift has no UBSan, its own checks trap instead), in release so it fits CI, in .build/sanitize.
# The command-line tests run the sanitized binary. Any report stops the run with a non-zero status.
# Leak checking is off here: the toolchain's Foundation and test runners keep allocations at exit; the
# fuzz targets (Scripts/fuzz.sh) check Octet's parsers for leaks instead.
set -euo pipefail
cd "$(dirname "$0")/.."
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# The C example test links the sanitized libOctet.so: it needs the same compiler's sanitizer runtime.
export OCTET_CC="$(dirname "$(command -v swift)")/clang"
export OCTET_CFLAGS="-fsanitize=address -fsanitize=undefined"
swift test -c release --scratch-path .build/sanitize --sanitize=address \
    -Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined \
    -Xswiftc -Xclang-linker -Xswiftc -fsanitize=undefined "$@" 2>&1
