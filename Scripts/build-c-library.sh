#!/usr/bin/env bash
# Builds the C API as a self-contained shared library: PREFIX/lib/liboctet.so (the Swift runtime and
# Foundation linked in, so it runs where no Swift is installed) and PREFIX/include/octet.h.
#   Scripts/build-c-library.sh [PREFIX]     (default .build/octet-c)
# A C program then builds with: cc prog.c -IPREFIX/include -LPREFIX/lib -loctet -Wl,-rpath,PREFIX/lib
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-.build/octet-c}
# Its own scratch path: -static-stdlib changes every module's build flags, and sharing .build/release would
# rebuild the command-line tool each time one or the other is built.
swift build -c release -Xswiftc -static-stdlib --product Octet --scratch-path .build/c-api
mkdir -p "$prefix/lib" "$prefix/include"
cp .build/c-api/release/libOctet.so "$prefix/lib/liboctet.so"
strip --strip-unneeded "$prefix/lib/liboctet.so"
cp Sources/COctetAPI/include/octet.h "$prefix/include/octet.h"
# What it needs where it runs: only the C and C++ runtimes the system has anyway.
unexpected=$(ldd "$prefix/lib/liboctet.so" | grep -v -E 'linux-vdso|ld-linux|lib(c|m|stdc\+\+|gcc_s|pthread|dl|rt)\.so' || true)
if [ -n "$unexpected" ]; then
    echo "error: liboctet.so needs libraries beyond libc, libm, libstdc++ and libgcc_s:" >&2
    echo "$unexpected" >&2
    exit 1
fi
echo "built $prefix/lib/liboctet.so ($(du -h "$prefix/lib/liboctet.so" | cut -f1)) and $prefix/include/octet.h"
