#!/usr/bin/env bash
# The quick-start demo: builds, then runs GReaTer on the shipped demo model with 2 MPI ranks,
# from a deliberately poor prompt, and prints the run file's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
build_dir=${BUILD_DIR:-build}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1  # the quick start runs as root
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}  # OpenMP waiters sleep: 2 ranks share 2 cores
mkdir -p runs
mpirun -n 2 --oversubscribe --bind-to none "$build_dir"/src/app/greater_dist \
  --job jobs/demo/arithmetic.toml --run_file runs/demo-arithmetic.h5 --overwrite "$@"
"$build_dir"/src/app/greater_inspect runs/demo-arithmetic.h5
