#!/usr/bin/env bash
# The ranking option from the command line and from a job file: recorded in the run file's job
# configuration, and acted on (random: no gradient column; no_reasoning: a gradient); an unknown
# value is refused.
source "$(dirname "$0")/common.sh" "$1"
paper_budget=(--topk 40 --candidates_evaluated 3)

"${MPIRUN[@]}" -n 2 "$DIST" $(small_job "$WORK/random.h5" --ranking random "${paper_budget[@]}") \
  > "$WORK/random.log" 2>&1 || { cat "$WORK/random.log"; fail "--ranking random did not run"; }
"$INSPECT" --config "$WORK/random.h5" | grep -qx 'ranking = "random"' ||
  fail "ranking = random not in the recorded configuration"

# A job file that sets it (the shipped demo job plus one line).
{ cat jobs/demo/arithmetic.toml; echo 'ranking = "no_reasoning"'; } > "$WORK/job.toml"
args=$(small_job "$WORK/no_reasoning.h5" "${paper_budget[@]}")
"${MPIRUN[@]}" -n 1 "$DIST" ${args/jobs\/demo\/arithmetic.toml/$WORK/job.toml} \
  > "$WORK/no_reasoning.log" 2>&1 || { cat "$WORK/no_reasoning.log"; fail "job file ranking did not run"; }
"$INSPECT" --config "$WORK/no_reasoning.h5" | grep -qx 'ranking = "no_reasoning"' ||
  fail "ranking = no_reasoning from the job file not recorded"

# The default is recorded too.
"${MPIRUN[@]}" -n 1 "$DIST" $(small_job "$WORK/gradient.h5" --iterations 1) > "$WORK/gradient.log" 2>&1 ||
  { cat "$WORK/gradient.log"; fail "default run"; }
"$INSPECT" --config "$WORK/gradient.h5" | grep -qx 'ranking = "gradient"' || fail "default ranking not recorded"

# random records no gradient; no_reasoning and gradient record finite ones.
/usr/bin/python3 - "$WORK" <<'PY' || fail "gradient columns"
import math, sys, h5py
work = sys.argv[1]
for name, finite in (("random", False), ("no_reasoning", True), ("gradient", True)):
    with h5py.File(f"{work}/{name}.h5", "r") as f:
        it = f["iterations"]
        n = int(it["count"][()])
        assert n >= 1, name
        for r in range(n):
            c = int(it["candidate_count"][r])
            g = it["candidate_gradients"][r][:c]
            assert c > 0 and all(math.isfinite(x) == finite for x in g), (name, r, list(g))
print("gradient columns as expected")
PY

if "${MPIRUN[@]}" -n 1 "$DIST" $(small_job "$WORK/bad.h5" --ranking reversed) > "$WORK/bad.log" 2>&1; then
  fail "--ranking reversed was accepted"
fi
grep -q "ranking" "$WORK/bad.log" || { cat "$WORK/bad.log"; fail "the error does not name the option"; }
echo "ranking option: command line, job file, default and refusal"
