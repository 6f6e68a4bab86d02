#!/usr/bin/env bash
# Bad input ends every rank with a clear message and a non-zero exit, within seconds.
source "$(dirname "$0")/common.sh" "$1"
expect_failure() {  # expect_failure NAME PATTERN command...
  local name=$1 pattern=$2; shift 2
  local start=$SECONDS
  set +e; timeout 120 "$@" > "$WORK/$name.log" 2>&1; local code=$?; set -e
  [ $code != 0 ] || fail "$name: exit 0"
  [ $code != 124 ] || fail "$name: hung"
  grep -q -- "$pattern" "$WORK/$name.log" || { cat "$WORK/$name.log"; fail "$name: no '$pattern'"; }
  echo "$name: exit $code in $((SECONDS - start)) s: $(grep -m1 -- "$pattern" "$WORK/$name.log")"
}
# One rank cannot load its model (MPMD launch): all ranks end, the message names the file.
expect_failure one_rank "nowhere/config.json" "${MPIRUN[@]}" \
  -n 1 "$DIST" $(small_job "$WORK/a.h5") : -n 1 "$DIST" $(small_job "$WORK/a.h5") --model "$WORK/nowhere"
# An unknown key in a job file.
printf 'model = "models/demo-reasoner"\nnot_an_option = 3\n' > "$WORK/bad.toml"
expect_failure unknown_key "not_an_option" "${MPIRUN[@]}" -n 2 "$DIST" --job "$WORK/bad.toml"
# A malformed task file names the file and the line.
printf '{"input": "Q : start 1 .", "target": "1"}\n{"input": 3}\n' > "$WORK/bad.jsonl"
expect_failure bad_task "bad.jsonl" "${MPIRUN[@]}" -n 2 "$DIST" $(small_job "$WORK/b.h5") --task "$WORK/bad.jsonl"
# A missing required key.
expect_failure missing_key "initial_prompt" "${MPIRUN[@]}" -n 1 "$DIST" $(small_job "$WORK/c.h5") --initial_prompt ""
# The run file of another job configuration is not reused.
"${MPIRUN[@]}" -n 1 "$DIST" $(small_job "$WORK/d.h5" --iterations 1) > /dev/null
expect_failure other_config "different job configuration" "${MPIRUN[@]}" -n 1 "$DIST" $(small_job "$WORK/d.h5" --iterations 1 --seed 2)
# A bad number says what is wanted.
expect_failure bad_number "topk: must be a positive integer" "${MPIRUN[@]}" -n 1 "$DIST" $(small_job "$WORK/e.h5") --topk 0
# A run_file that is a directory is reported as one.
mkdir -p "$WORK/a_folder"
expect_failure directory_run_file "is a directory" "${MPIRUN[@]}" -n 1 "$DIST" $(small_job "$WORK/a_folder")
