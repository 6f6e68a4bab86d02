#!/usr/bin/env bash
# Compares candidate rankings (gradient against random, by default) on one job over several
# seeds: each seed sets both the random draws (seed) and the train/dev/test split (split_seed),
# and the rankings of one seed share its split. Prints analysis/table.py's table by ranking.
#
#   scripts/compare_rankings.sh [JOB=arithmetic] [SEEDS="1 2 3 4 5 6 7 8"] [ITERATIONS=20] [-- OPTIONS...]
#
# JOB is a demo task name (arithmetic, tracking: jobs/demo/JOB.toml, at the paper's selection
# budget) or a job file; OPTIONS go to every greater_dist run (split sizes, chain cap, ...).
# Settings (environment):
#   RANKINGS   rankings compared (default "gradient random"; also no_reasoning)
#   RANKS      MPI ranks per run (default 2)
#   PARALLEL   runs at once (default 1); give each run RANKS x threads cores
#   NAME       run-file prefix (default: the job file's name without .toml)
#   RUNS_DIR   folder of the run files (default runs/rankings)
#   BUILD_DIR  build folder (default build)
# Run files: RUNS_DIR/NAME-RANKING-SEED.h5 with its .log; a finished one is kept, an
# interrupted one resumes.
set -euo pipefail
cd "$(dirname "$0")/.."
job=${1:-arithmetic}
seeds=${2:-"1 2 3 4 5 6 7 8"}
iterations=${3:-20}
shift $(($# < 3 ? $# : 3))
[ "${1:-}" = "--" ] && shift
options=("$@")

[[ $job == *.toml ]] || job=jobs/demo/$job.toml
[ -f "$job" ] || { echo "compare_rankings.sh: $job: no such job file" >&2; exit 2; }
name=${NAME:-$(basename "$job" .toml)}
rankings=${RANKINGS:-gradient random}
ranks=${RANKS:-2}
parallel=${PARALLEL:-1}
build_dir=${BUILD_DIR:-build}
runs=${RUNS_DIR:-runs/rankings}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p "$runs"

run_one() {  # run_one RANKING SEED: one optimization, its output in the run's log
  local run_file=$runs/$name-$1-$2.h5
  if [ -f "$run_file" ] && "$build_dir"/src/app/greater_inspect "$run_file" | grep -q finished; then
    echo "$run_file: finished, kept"
    return
  fi
  if mpirun -n "$ranks" --oversubscribe --bind-to none "$build_dir"/src/app/greater_dist \
      --job "$job" --ranking "$1" --seed "$2" --split_seed "$2" --iterations "$iterations" \
      "${options[@]}" --run_file "$run_file" >"${run_file%.h5}.log" 2>&1; then
    echo "$run_file"
  else
    echo "$run_file: failed, see ${run_file%.h5}.log" >&2
    return 1
  fi
}

status=0
for seed in $seeds; do
  for ranking in $rankings; do
    while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || status=1; done
    run_one "$ranking" "$seed" &
  done
done
while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || status=1; done

files=()
for seed in $seeds; do
  for ranking in $rankings; do
    [ -f "$runs/$name-$ranking-$seed.h5" ] && files+=("$runs/$name-$ranking-$seed.h5")
  done
done
/usr/bin/python3 analysis/table.py "${files[@]}"
exit "$status"
