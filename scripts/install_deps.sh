#!/usr/bin/env bash
# Installs everything greater-dist needs to build and test on Debian 12, from Debian's archive.
# Idempotent: packages already present are left alone. Run as root (or with sudo).
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libtorch-dev libopenblas0-openmp          # LibTorch 1.13 (CPU); OpenBLAS instead of reference BLAS (10x faster)
  libopenmpi-dev openmpi-bin                # MPI ranks
  libhdf5-dev                               # run files (serial HDF5: only rank 0 writes)
  libcli11-dev nlohmann-json3-dev libpcre2-dev
  googletest libgtest-dev
  python3-numpy                             # analysis (fixtures are remade with python3-torch, not needed here)
  python3-h5py hdf5-tools                   # run-file SWMR reader test; h5dump/h5clear
  python3-matplotlib                        # analysis/ plots (with python3-h5py)
  slurm-wlm munge                           # tests/cluster: a private single-node SLURM
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install_deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install_deps: all packages present"
fi
