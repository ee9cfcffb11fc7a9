#!/usr/bin/env bash
# Installs nvcc from the package index into .cache/nvcc (compiling needs no GPU and no driver) and prints its
# path: what Scripts/check-kernels.sh and the kernel compile test use where no CUDA toolkit is installed.
#   OCTET_NVCC=$(Scripts/fetch-nvcc.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/nvcc
nvcc="$dest/nvidia/cu13/bin/nvcc"
if [ ! -x "$nvcc" ]; then
    python3 -m pip install -q --disable-pip-version-check --target "$dest" \
        nvidia-cuda-nvcc nvidia-cuda-runtime nvidia-cuda-crt nvidia-nvvm >&2
fi
"$nvcc" --version >/dev/null
echo "$(pwd)/$nvcc"
