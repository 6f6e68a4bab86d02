#!/usr/bin/env bash
# -n 1, -n 2 and -n 4 give the same sequence of prompts (and the same scores): with the thread
# count given, and at the default options (the default thread count does not depend on the
# number of ranks).
source "$(dirname "$0")/common.sh" "$1"
steps_of() { "$INSPECT" "$1" | grep '^step' | sed 's/ [0-9.]* s .* tok *|/ |/'; }

for n in 1 2 4; do
  "${MPIRUN[@]}" -n $n "$DIST" $(small_job "$WORK/n$n.h5") > "$WORK/n$n.log"
  steps_of "$WORK/n$n.h5" > "$WORK/n$n.steps"
done
cat "$WORK/n1.steps"
[ -s "$WORK/n1.steps" ] || fail "no iterations recorded"
[ "$(wc -l < "$WORK/n1.steps")" = 4 ] || fail "expected 4 iterations"
cmp "$WORK/n1.steps" "$WORK/n2.steps" || fail "-n 2 differs from -n 1"
cmp "$WORK/n1.steps" "$WORK/n4.steps" || fail "-n 4 differs from -n 1"
grep -q '^step 3/4' "$WORK/n2.log" || fail "no progress line for the last step (3, counted from 0)"
echo "same trajectory at 1, 2 and 4 ranks"

# Defaults: only the job file, a shorter run and its own run file.
for n in 1 2 4; do
  "${MPIRUN[@]}" -n $n "$DIST" --job jobs/demo/arithmetic.toml --iterations 3 --train_size 16 \
    --dev_size 4 --test_size 4 --run_file "$WORK/d$n.h5" > "$WORK/d$n.log"
  grep -q ', 1 thread(s) per rank$' "$WORK/d$n.log" ||
    fail "-n $n at defaults: not 1 thread per rank: $(grep '^job ' "$WORK/d$n.log")"
  steps_of "$WORK/d$n.h5" > "$WORK/d$n.steps"
done
cat "$WORK/d1.steps"
[ "$(wc -l < "$WORK/d1.steps")" = 3 ] || fail "defaults: expected 3 iterations"
cmp "$WORK/d1.steps" "$WORK/d2.steps" || fail "defaults: -n 2 differs from -n 1"
cmp "$WORK/d1.steps" "$WORK/d4.steps" || fail "defaults: -n 4 differs from -n 1"
echo "same trajectory at 1, 2 and 4 ranks at the default options"
