#!/usr/bin/env bash
# Retrains the shipped demo model (models/demo-reasoner) from scratch: about 30 minutes on two
# cores. Two stages, as recorded in the model card and its training.json:
#   1. 4000 steps with both families drawn equally often, at the default learning rate, until
#      both families' working is learned;
#   2. 1500 steps from those weights at a quarter of that rate with tracking drawn twice as
#      often, which polishes tracking's longer chains without unlearning arithmetic.
# Usage: scripts/train_demo_model.sh [OUT_DIR]   (default: models/demo-reasoner)
# Then regenerate the numerics fixture (the card says how) and run the demo tests.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
out=${1:-models/demo-reasoner}
stage1=${STAGE1_DIR:-/tmp/demo-stage1}
threads=${THREADS:-2}
train="$build_dir/src/app/greater_train_demo"
[[ -x $train ]] || { echo "train_demo_model.sh: build first (scripts/build.sh)" >&2; exit 1; }

"$train" --out "$stage1" --seed 1 --steps 4000 --batch 64 \
  --eval-every 1000 --eval-questions 60 --log-every 100 --threads "$threads"
"$train" --init "$stage1" --out "$out" --seed 6 --lr 5e-4 --warmup 50 --steps 1500 --batch 64 \
  --family-weights 1,2 --eval-every 500 --eval-questions 60 --log-every 100 --threads "$threads"
