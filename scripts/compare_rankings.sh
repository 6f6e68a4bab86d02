#!/usr/bin/env bash
# Gradient against random ranking on a demo task at the paper's selection budget (the demo job's
# topk 40, candidates_evaluated 3), over several seeds: each seed sets both the random draws
# (seed) and the train/dev/test split (split_seed). Prints analysis/table.py's table by ranking.
#   scripts/compare_rankings.sh [TASK=arithmetic] [SEEDS="1 2 3 4 5 6 7 8"] [ITERATIONS=20]
# Run files go to runs/rankings/TASK-RANKING-SEED.h5 (an existing finished one is kept).
set -euo pipefail
cd "$(dirname "$0")/.."
task=${1:-arithmetic}
seeds=${2:-"1 2 3 4 5 6 7 8"}
iterations=${3:-20}
build_dir=${BUILD_DIR:-build}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p runs/rankings
for seed in $seeds; do
  for ranking in gradient random; do
    run_file=runs/rankings/$task-$ranking-$seed.h5
    if [ -f "$run_file" ] && "$build_dir"/src/app/greater_inspect "$run_file" | grep -q finished; then
      echo "$run_file: finished, kept"
      continue
    fi
    mpirun -n 2 --oversubscribe --bind-to none "$build_dir"/src/app/greater_dist \
      --job "jobs/demo/$task.toml" --ranking "$ranking" --seed "$seed" --split_seed "$seed" \
      --iterations "$iterations" --run_file "$run_file" > "${run_file%.h5}.log"
    echo "$run_file"
  done
done
/usr/bin/python3 analysis/table.py runs/rankings/$task-*.h5
