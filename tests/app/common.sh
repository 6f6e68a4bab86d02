# Shared by the greater_dist end-to-end tests: paths, mpirun flags and a small demo job.
# Usage in a test: source "$(dirname "$0")/common.sh" BUILD_DIR
set -euo pipefail
BUILD_DIR=$1
SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DIST="$BUILD_DIR/src/app/greater_dist"
INSPECT="$BUILD_DIR/src/app/greater_inspect"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# 2 cores: more ranks than cores need --oversubscribe; no binding so parallel tests share.
MPIRUN=(mpirun --oversubscribe --bind-to none)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$SOURCE_DIR"

# A few iterations of the arithmetic demo on few examples: seconds, not minutes.
small_job() {  # small_job RUN_FILE [more options]
  local run_file=$1; shift
  echo --job jobs/demo/arithmetic.toml --iterations 4 --train_size 8 --dev_size 4 \
    --test_size 4 --micro_batch 4 --threads 1 --eval_top_prompts 2 --run_file "$run_file" "$@"
}

prompts_of() { "$INSPECT" --prompts "$1"; }

fail() { echo "FAIL: $*" >&2; exit 1; }
