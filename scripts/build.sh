#!/usr/bin/env bash
# Installs the Debian dependencies (when run as root) and builds everything into build/.
#   BUILD_DIR=build  BUILD_TYPE=Release  JOBS=2  scripts/build.sh [extra cmake args]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}

if [ "$(id -u)" = 0 ]; then
  scripts/install_deps.sh
fi
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" "$@" >/dev/null
cmake --build "$build_dir" -j "${JOBS:-2}"
