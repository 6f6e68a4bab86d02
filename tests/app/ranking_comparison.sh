#!/usr/bin/env bash
# scripts/compare_rankings.sh on a small demo job: one finished run file per ranking and seed,
# the seed recorded as both seed and split_seed, the table by ranking over both seeds, finished
# runs kept on a second call, and a clear refusal of a job file that does not exist.
source "$(dirname "$0")/common.sh" "$1"
compare=(env BUILD_DIR="$BUILD_DIR" RUNS_DIR="$WORK/runs" RANKS=1 PARALLEL=2 NAME=small
  scripts/compare_rankings.sh arithmetic "1 2" 2 -- --train_size 8 --dev_size 4 --test_size 4
  --micro_batch 4 --threads 1 --eval_top_prompts 2)

"${compare[@]}" > "$WORK/first.out" 2>&1 || { cat "$WORK/first.out"; fail "the comparison failed"; }
for ranking in gradient random; do
  for seed in 1 2; do
    run=$WORK/runs/small-$ranking-$seed.h5
    "$INSPECT" "$run" | head -n 1 | grep -q ': finished$' || fail "$run is not finished"
    "$INSPECT" --config "$run" > "$WORK/config.toml"
    for key in "ranking = \"$ranking\"" "seed = $seed" "split_seed = $seed" "iterations = 2"; do
      grep -qx "$key" "$WORK/config.toml" || { cat "$WORK/config.toml"; fail "$run: no '$key'"; }
    done
  done
done
for ranking in gradient random; do
  grep -q "^| arithmetic | demo-reasoner | $ranking | 2 |" "$WORK/first.out" ||
    { cat "$WORK/first.out"; fail "no $ranking row over 2 runs in the table"; }
done

"${compare[@]}" > "$WORK/second.out" 2>&1 || { cat "$WORK/second.out"; fail "the second call failed"; }
[ "$(grep -c 'finished, kept' "$WORK/second.out")" = 4 ] ||
  { cat "$WORK/second.out"; fail "the second call did not keep the 4 finished runs"; }

if scripts/compare_rankings.sh jobs/none.toml > "$WORK/bad.out" 2>&1; then fail "a missing job was accepted"; fi
grep -q "jobs/none.toml: no such job file" "$WORK/bad.out" || { cat "$WORK/bad.out"; fail "unclear error"; }
echo "compare_rankings.sh: 4 finished runs, the table by ranking, kept on rerun, a missing job refused"
