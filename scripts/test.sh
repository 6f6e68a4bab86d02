#!/usr/bin/env bash
# Builds and runs every test: dependencies, test data (reference tokenizers, the SmolLM2 GGUF
# for the real_model tests, about 95 MB on first use), build, ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
scripts/setup_test_data.sh
scripts/get_smollm2.sh
cd "${BUILD_DIR:-build}"
# Parallel tests share the cores: OpenMP threads that spin while waiting would take them.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
ctest --output-on-failure -j "${JOBS:-2}" --timeout 900
