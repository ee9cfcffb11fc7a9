#!/usr/bin/env bash
# Compiles every Kernels/*.cu to a cubin for sm_80, sm_89 and sm_90 with the flags the CUDA backend uses,
# and fails on any compile error, any warning (--Werror all-warnings) and any register spill (read from
# ptxas -v). Needs no GPU. Without an nvcc it says SKIPPED and passes, unless --require is given.
#   Scripts/check-kernels.sh [--require]
# nvcc is looked for in $OCTET_NVCC, $CUDA_HOME/bin, PATH, then a pip install of nvidia-cuda-nvcc
# (nvidia/cu13/bin/nvcc under a python3 sys.path entry).
set -euo pipefail
cd "$(dirname "$0")/.."
require=0
while [ $# -gt 0 ]; do
    case $1 in
        --require) require=1; shift ;;
        *) echo "usage: Scripts/check-kernels.sh [--require]" >&2; exit 2 ;;
    esac
done

find_nvcc() {
    if [ -n "${OCTET_NVCC:-}" ]; then echo "$OCTET_NVCC"; return; fi
    if [ -n "${CUDA_HOME:-}" ] && [ -x "$CUDA_HOME/bin/nvcc" ]; then echo "$CUDA_HOME/bin/nvcc"; return; fi
    if command -v nvcc >/dev/null 2>&1; then command -v nvcc; return; fi
    if command -v python3 >/dev/null 2>&1; then
        local dir
        while IFS= read -r dir; do
            if [ -n "$dir" ] && [ -x "$dir/nvidia/cu13/bin/nvcc" ]; then echo "$dir/nvidia/cu13/bin/nvcc"; return; fi
        done < <(python3 -c 'import sys; print("\n".join(sys.path))' 2>/dev/null || true)
    fi
}

nvcc=$(find_nvcc)
if [ -z "$nvcc" ]; then
    echo "check-kernels: SKIPPED: no nvcc (set OCTET_NVCC, or pip install nvidia-cuda-nvcc nvidia-cuda-runtime nvidia-cuda-crt nvidia-nvvm)"
    exit "$require"
fi
if [ ! -x "$nvcc" ]; then
    echo "check-kernels: $nvcc is not an executable nvcc" >&2
    exit 1
fi
echo "check-kernels: nvcc $("$nvcc" --version | grep -o "release [0-9.]*" | head -n 1) ($nvcc)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
archs="80 89 90"
files=(Kernels/*.cu)
status=0
for file in "${files[@]}"; do
    name=$(basename "$file" .cu)
    for arch in $archs; do
        log=$work/$name.sm_$arch.log
        # The flags the host builds its cubins with; -fmad=false keeps a multiply and an add rounded apart.
        if ! "$nvcc" -cubin -gencode="arch=compute_$arch,code=sm_$arch" -O3 -fmad=false -std=c++17 -Xptxas -v \
            --Werror all-warnings -I Kernels -o "$work/$name.sm_$arch.cubin" "$file" > "$log" 2>&1; then
            grep -v '^ptxas info' "$log" >&2 || true
            echo "check-kernels: FAILED: $file for sm_$arch: compile error or warning" >&2
            status=1
            continue
        fi
        # ptxas -v names a function ("Compiling entry function 'f'", "Function properties for f"), then its
        # spill line and its register count; the awk keeps the heaviest kernel and every spilling function.
        report=$(awk '
            /Compiling entry function/ { split($0, q, "'"'"'"); fn = q[2] }
            /Function properties for/ { fn = $NF }
            /bytes spill stores/ {
                match($0, /[0-9]+ bytes spill stores/); stores = substr($0, RSTART, RLENGTH) + 0
                match($0, /[0-9]+ bytes spill loads/); loads = substr($0, RSTART, RLENGTH) + 0
                if (stores != 0 || loads != 0) spills = spills " " fn " (" stores " bytes spill stores, " loads " bytes spill loads)"
            }
            /Used [0-9]+ registers/ {
                kernels++
                match($0, /Used [0-9]+ registers/); regs = substr($0, RSTART + 5, RLENGTH - 15) + 0
                if (regs > most) { most = regs; heaviest = fn }
            }
            END { printf "%d|%s|%d|%s\n", kernels, heaviest, most, spills }' "$log")
        IFS='|' read -r kernels heaviest registers spills <<< "$report"
        if [ -n "$spills" ]; then
            echo "check-kernels: FAILED: $file for sm_$arch spills registers:$spills" >&2
            status=1
            continue
        fi
        if [ "$kernels" -eq 0 ]; then
            echo "check-kernels: FAILED: $file for sm_$arch: ptxas reported no kernel" >&2
            status=1
            continue
        fi
        printf '%-26s sm_%s  %d kernel(s), heaviest %s: %d registers, no spills\n' \
            "$file" "$arch" "$kernels" "$heaviest" "$registers"
    done
done
if [ "$status" -ne 0 ]; then
    echo "check-kernels: FAILED (see above)" >&2
    exit 1
fi
echo "check-kernels: ${#files[@]} files x 3 archs compiled, no warnings, no spills"
