#!/usr/bin/env bash
# The quick-start demo: builds, makes a seeded random-weight ~10M-parameter Llama from
# configs/models/llama_10m.json and greedy-generates with it, with and without the KV cache.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
build_dir=${BUILD_DIR:-build}
mkdir -p runs/llama_10m
"$build_dir"/src/app/greater_make_model --config configs/models/llama_10m.json --out runs/llama_10m --seed 1
"$build_dir"/src/app/greater_generate --model runs/llama_10m --ids "1 15 27 300 4000 12" \
  --max-new-tokens 200 --batch 4 --compare-no-cache
