#!/usr/bin/env bash
# SmolLM2-135M-Instruct on BBH, on one GPU: optimizes several tasks at once (one process each,
# all on the same GPU), plus gradient-against-random runs on one task, then packs the run files.
# Runs on a GPU machine from the repository root with gpu-bundle/ beside it (scripts/gpu_env.sh)
# and the GGUF under models/smollm2-135m-instruct/ (scripts/get_smollm2.sh).
#
#   scripts/gpu_bbh.sh [RESULTS_DIR]       (default: $OUT when set, else gpu-bbh/)
#
# Settings (environment):
#   BBH_TASKS        tasks optimized with the gradient ranking, seed 1
#   BBH_ITERATIONS   coordinate steps per run (default 12)
#   BBH_SPLIT        "train dev test" sizes, rows from the front of the task file (default 16 16 100)
#   ABLATION_TASK    task of the ranking comparison (default boolean_expressions; its gradient,
#                    seed 1 run is the BBH_TASKS run of the same task when listed there)
#   ABLATION_SEEDS   seeds of the comparison (default "1 2 3"); empty: no comparison
#   BBH_DEVICE       the device option (default cuda); BBH_CHAIN the chain cap (default 128)
#   RUN_LIMIT_S      wall-clock limit of one run (default 330). A run still optimizing then is
#                    stopped (SIGTERM: it records its iterations and marks the file interrupted),
#                    and the prompt it reached is evaluated on the same test rows in a transfer run
#                    (RUN-reached.h5), so that every task has a before and an after.
# Results: RESULTS_DIR/bbh-runs.tar.gz (run files and logs), RESULTS_DIR/summary.txt.
set -uo pipefail
cd "$(dirname "$0")/.."
results=${1:-${OUT:-gpu-bbh}}
mkdir -p "$results"
source scripts/gpu_env.sh

tasks=${BBH_TASKS:-boolean_expressions sports_understanding web_of_lies causal_judgement formal_fallacies hyperbaton}
iterations=${BBH_ITERATIONS:-12}
read -r train dev test <<<"${BBH_SPLIT:-16 16 100}"
ablation_task=${ABLATION_TASK:-boolean_expressions}
ablation_seeds=${ABLATION_SEEDS-1 2 3}
limit=${RUN_LIMIT_S:-330}
runs=$results/runs
mkdir -p "$runs"

# One rank per process.
settings=(--device "${BBH_DEVICE:-cuda}" --dtype float32 --threads 1 --iterations "$iterations" --train_size "$train"
  --dev_size "$dev" --test_size "$test" --max_new_tokens "${BBH_CHAIN:-128}" --micro_batch 32)

start_run() {  # start_run NAME TASK [options...]: one optimization in the background
  local name=$1 task=$2
  shift 2
  echo "$name: greater_dist --job jobs/bbh/smollm2/$task.toml ${settings[*]} $*" >"$runs/$name.log"
  timeout -s TERM -k 30 "$limit" $mpirun -n 1 "$bin/greater_dist" --job "jobs/bbh/smollm2/$task.toml" \
    "${settings[@]}" --run_file "$runs/$name.h5" "$@" >>"$runs/$name.log" 2>&1 &
}

names=()
for task in $tasks; do
  start_run "$task" "$task"
  names+=("$task")
done
for seed in $ablation_seeds; do
  for ranking in gradient random; do
    [[ $ranking == gradient && $seed == 1 && " $tasks " == *" $ablation_task "* ]] && continue
    start_run "$ablation_task-$ranking-s$seed" "$ablation_task" --ranking "$ranking" --seed "$seed"
    names+=("$ablation_task-$ranking-s$seed")
  done
done
wait

# Runs stopped at the limit: evaluate the prompt they reached (the last step line's prompt).
for name in "${names[@]}"; do
  grep -q '^finished:' "$runs/$name.log" && continue
  reached=$(grep '^step ' "$runs/$name.log" | tail -n 1 | sed 's/^[^|]*|  *//')
  [ -n "$reached" ] || { echo "$name: no step finished" >>"$runs/$name.log"; continue; }
  task=${name%%-*}
  echo "$name: evaluating the reached prompt: $reached" >"$runs/$name-reached.log"
  timeout -s TERM 120 $mpirun -n 1 "$bin/greater_dist" --job "jobs/bbh/smollm2/$task.toml" "${settings[@]}" \
    --iterations 0 --initial_prompt "$reached" --run_file "$runs/$name-reached.h5" \
    >>"$runs/$name-reached.log" 2>&1 &
done
wait

{
  nvidia-smi --query-gpu=name,memory.used --format=csv
  for log in "$runs"/*.log; do
    echo "== $(basename "$log")"
    grep -E '^(job|eval|finished|greater_dist)|stopped|rror' "$log" | cut -c1-200
    grep '^step ' "$log" | tail -n 1 | cut -c1-200
  done
} >"$results/summary.txt" 2>&1
tar -czf "$results/bbh-runs.tar.gz" -C "$results" runs
rm -rf "$runs"
cat "$results/summary.txt"
