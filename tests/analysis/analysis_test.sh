#!/usr/bin/env bash
# The analysis/ scripts on run files made here by small greater_dist runs of the demo model:
# table.py (Markdown and CSV rows), curves.py (valid PNGs), live.py (--once, and following a run
# until it finishes), inspect_run.py. Uses Debian's /usr/bin/python3 with python3-h5py and
# python3-matplotlib.
#   analysis_test.sh BUILD_DIR        exit 77: skipped (no h5py/matplotlib, or no demo model)
set -euo pipefail
BUILD_DIR=$(cd "$1" && pwd)
SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DIST=$BUILD_DIR/src/app/greater_dist
PY=/usr/bin/python3
A=$SOURCE_DIR/analysis
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
MPIRUN=(mpirun --oversubscribe --bind-to none)

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIPPED: $*"; exit 77; }

$PY -c 'import h5py, matplotlib, numpy' 2>/dev/null ||
  skip "$PY lacks h5py or matplotlib (apt-get install python3-h5py python3-matplotlib)"
MODEL=${GREATER_TEST_MODEL:-$SOURCE_DIR/models/demo-reasoner}
[ -f "$MODEL/config.json" ] || MODEL=/tmp/demo-bench  # an untrained copy, while the model is made
[ -f "$MODEL/config.json" ] || skip "no demo model (models/demo-reasoner; or set GREATER_TEST_MODEL)"

WORK=$(mktemp -d)
live_pid=""
cleanup() {
  [ -z "$live_pid" ] || kill "$live_pid" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$SOURCE_DIR"

run_job() {  # run_job TASK RUN_FILE ITERATIONS: a small demo run on 2 ranks
  "${MPIRUN[@]}" -n 2 "$DIST" --job "jobs/demo/$1.toml" --model "$MODEL" \
    --task "$MODEL/tasks/$1.jsonl" --iterations "$3" --train_size 8 --dev_size 4 --test_size 4 \
    --micro_batch 4 --threads 1 --eval_every 2 --eval_top_prompts 2 --eval_chains_saved 4 \
    --run_file "$2"
}

# ---- two small run files --------------------------------------------------------------------------
mkdir -p "$WORK/runs"
run_job arithmetic "$WORK/runs/arithmetic.h5" 4 >"$WORK/arithmetic.log" 2>&1 &
first=$!
run_job tracking "$WORK/runs/tracking.h5" 4 >"$WORK/tracking.log" 2>&1 ||
  fail "tracking run: $(tail -n 5 "$WORK/tracking.log")"
wait "$first" || fail "arithmetic run: $(tail -n 5 "$WORK/arithmetic.log")"
echo "made 2 run files"

# ---- table.py ---------------------------------------------------------------------------------------
$PY "$A/table.py" "$WORK/runs" --markdown "$WORK/table.md" --csv "$WORK/table.csv" >"$WORK/table.out"
md=$WORK/table.md
grep -q '^| Task | Initial | GReaTer | Δ | Best prompt |$' "$md" || fail "no table header in table.md"
for task in arithmetic tracking; do
  grep -qE "^\| $task \| [0-9]+\.[0-9] \| [0-9]+\.[0-9] \| [+-][0-9]+\.[0-9] \| .+ \|$" "$md" ||
    fail "no row for $task in table.md: $(cat "$md")"
done
grep -q '^| \*\*Average\*\* |' "$md" || fail "no Average row in table.md"
[ "$(wc -l <"$WORK/table.csv")" = 3 ] || fail "table.csv: not a header and 2 rows"
$PY - "$WORK/table.csv" <<'EOF' || fail "table.csv content"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert [r["task"] for r in rows] == ["arithmetic", "tracking"], rows
for r in rows:
    assert r["status"] == "finished" and r["iterations"] == "4" and r["split"] == "test", r
    assert 0.0 <= float(r["initial_accuracy"]) <= 1.0 and 0.0 <= float(r["final_accuracy"]) <= 1.0, r
    assert r["best_prompt"] and r["initial_prompt"] == "just answer the problem .", r
EOF
$PY "$A/table.py" "$WORK/runs/tracking.h5" | grep -q '^| tracking |' || fail "table.py to stdout"
mkdir "$WORK/empty"
if $PY "$A/table.py" "$WORK/empty" 2>/dev/null; then fail "table.py on no run files exited 0"; fi
echo "table.py: ok"

# ---- curves.py ----------------------------------------------------------------------------------------
$PY "$A/curves.py" "$WORK/runs" -o "$WORK/all.png" --per-run "$WORK/per" >/dev/null
$PY "$A/curves.py" "$WORK/runs/arithmetic.h5" -o "$WORK/one.png" >/dev/null
$PY - "$WORK/all.png" "$WORK/one.png" "$WORK/per/arithmetic.png" "$WORK/per/tracking.png" <<'EOF' ||
import struct, sys, zlib
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG signature"
    at, chunks = 8, []
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        crc, = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"{path}: bad CRC in {kind}"
        chunks.append(kind)
        at += 12 + length
    assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND" and b"IDAT" in chunks, chunks
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 600 and height >= 400, (path, width, height)
    import matplotlib.image
    assert matplotlib.image.imread(path).shape[:2] == (height, width)
EOF
  fail "curves.py wrote an invalid PNG"
echo "curves.py: ok"

# ---- inspect_run.py -----------------------------------------------------------------------------------
$PY "$A/inspect_run.py" "$WORK/runs/tracking.h5" >"$WORK/inspect.out"
for want in ': finished' 'job configuration:' 'iterations (4):' 'time per stage:' \
  'evaluations (' 'stored chains:' 'initial prompt'; do
  grep -qF -- "$want" "$WORK/inspect.out" || fail "inspect_run.py output lacks '$want'"
done
[ "$(grep -cE '^ +[0-3] +[0-9]+ +[0-9.]+ ' "$WORK/inspect.out")" = 4 ] ||
  fail "inspect_run.py did not list 4 iterations"
if $PY "$A/inspect_run.py" "$WORK/table.csv" 2>"$WORK/err"; then fail "inspect_run.py read a CSV"; fi
grep -q 'table.csv' "$WORK/err" || fail "inspect_run.py error does not name the file"
echo "inspect_run.py: ok"

# ---- live.py --------------------------------------------------------------------------------------------
$PY "$A/live.py" --once "$WORK/runs/arithmetic.h5" >"$WORK/live_once.out"
grep -q 'arithmetic.h5: finished' "$WORK/live_once.out" || fail "live.py --once: no finished status"
grep -q 'iterations 4/4' "$WORK/live_once.out" || fail "live.py --once: no progress"
if $PY "$A/live.py" --once "$WORK/runs/none.h5" 2>/dev/null; then fail "live.py on no file exited 0"; fi

# Follow a run from its start to its end: live.py must see it running and stop once it finishes.
$PY "$A/live.py" -n 0.3 --rows 3 "$WORK/runs/follow.h5" >"$WORK/live.out" 2>&1 &
live_pid=$!
run_job arithmetic "$WORK/runs/follow.h5" 10 >"$WORK/follow.log" 2>&1 ||
  fail "follow run: $(tail -n 5 "$WORK/follow.log")"
for _ in $(seq 100); do kill -0 "$live_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$live_pid" 2>/dev/null && fail "live.py still watching a finished run"
wait "$live_pid" || fail "live.py exited with $?"
live_pid=""
grep -q 'follow.h5: running' "$WORK/live.out" || fail "live.py never showed the run running"
grep -q 'follow.h5: finished' "$WORK/live.out" || fail "live.py did not show the finished run"
tail -n 1 "$WORK/live.out" | grep -q 'status finished: done watching' || fail "live.py's last line"
echo "live.py: ok ($(grep -c 'follow.h5: running' "$WORK/live.out") refreshes while running)"
echo "analysis scripts: ok"
