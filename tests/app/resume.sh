#!/usr/bin/env bash
# A run stopped by kill -9, SIGUSR1 or SIGTERM resumes from its run file and ends with exactly the
# prompts of an uninterrupted run.   resume.sh BUILD_DIR kill|usr1|term
source "$(dirname "$0")/common.sh" "$1"
how=$2
# Enough iterations that the stop (two on record, then a signal that the ranks act on at the
# next iteration boundary) lands well before the end even when an iteration takes a second.
ITERATIONS=10
"${MPIRUN[@]}" -n 2 "$DIST" $(small_job "$WORK/whole.h5" --iterations "$ITERATIONS") > "$WORK/whole.log"

"${MPIRUN[@]}" -n 2 "$DIST" $(small_job "$WORK/cut.h5" --iterations "$ITERATIONS") > "$WORK/cut1.log" 2>&1 &
launcher=$!
# Wait until two iterations are on record, then stop the whole launch.
for _ in $(seq 600); do
  rows=$(prompts_of "$WORK/cut.h5" 2>/dev/null | wc -l || true)
  [ "${rows:-0}" -ge 2 ] && break
  sleep 0.2
done
[ "${rows:-0}" -ge 2 ] || fail "the run never recorded two iterations"
# Open MPI starts the ranks as children of mpirun, in process groups of their own.
ranks=$(pgrep -P $launcher -x greater_dist | tr '\n' ' ')
[ -n "$ranks" ] || fail "no rank processes found under mpirun"
if [ "$how" = kill ]; then
  kill -9 $ranks $launcher
  wait $launcher || true
else
  if [ "$how" = usr1 ]; then
    kill -USR1 $launcher   # mpirun forwards SIGUSR1 to every rank (SLURM's --signal path)
  else
    kill -TERM $ranks   # SIGTERM straight to the ranks
  fi
  set +e; wait $launcher; code=$?; set -e
  [ $code = 75 ] || fail "$how: expected exit 75 (resume later), got $code"
  "$INSPECT" "$WORK/cut.h5" | head -1 | grep -q interrupted || fail "status is not interrupted"
fi
done_rows=$(prompts_of "$WORK/cut.h5" | wc -l)
[ "$done_rows" -lt "$ITERATIONS" ] || fail "the run finished before it was stopped"
echo "stopped after $done_rows iterations"

"${MPIRUN[@]}" -n 2 "$DIST" $(small_job "$WORK/cut.h5" --iterations "$ITERATIONS") > "$WORK/cut2.log"
grep -q "resuming" "$WORK/cut2.log" || fail "the second launch did not resume"
cmp <(prompts_of "$WORK/whole.h5") <(prompts_of "$WORK/cut.h5") || fail "resumed trajectory differs"
"$INSPECT" "$WORK/cut.h5" | head -1 | grep -q finished || fail "resumed run not finished"
# A finished file is never overwritten without --overwrite.
set +e; "${MPIRUN[@]}" -n 1 "$DIST" $(small_job "$WORK/cut.h5" --iterations "$ITERATIONS") > "$WORK/again.log" 2>&1; code=$?; set -e
[ $code != 0 ] || fail "a finished run file was reused"
grep -q "finished run" "$WORK/again.log" || fail "no message about the finished run"
echo "resume after $how: same trajectory"
