#!/usr/bin/env bash
# -n 1, -n 2 and -n 4 give the same sequence of prompts (and the same scores).
source "$(dirname "$0")/common.sh" "$1"
for n in 1 2 4; do
  "${MPIRUN[@]}" -n $n "$DIST" $(small_job "$WORK/n$n.h5") > "$WORK/n$n.log"
  "$INSPECT" "$WORK/n$n.h5" | grep '^step' | sed 's/ [0-9.]* s .* tok |/ |/' > "$WORK/n$n.steps"
done
cat "$WORK/n1.steps"
[ -s "$WORK/n1.steps" ] || fail "no iterations recorded"
[ "$(wc -l < "$WORK/n1.steps")" = 4 ] || fail "expected 4 iterations"
cmp "$WORK/n1.steps" "$WORK/n2.steps" || fail "-n 2 differs from -n 1"
cmp "$WORK/n1.steps" "$WORK/n4.steps" || fail "-n 4 differs from -n 1"
grep -q '^step 3/4' "$WORK/n2.log" || fail "no progress line for the last step (3, counted from 0)"
echo "same trajectory at 1, 2 and 4 ranks"
