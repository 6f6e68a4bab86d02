#!/usr/bin/env bash
# The run file's padded widths follow the job: more candidates evaluated than the default width
# (16) and an initial prompt longer than the default 128 tokens (143 words) are recorded in full,
# instead of failing at the first append after the work is done.
source "$(dirname "$0")/common.sh" "$1"

long_prompt=$(for i in $(seq 1 70); do printf 'just answer '; done; printf 'the problem .')
"${MPIRUN[@]}" -n 2 "$DIST" $(small_job "$WORK/wide.h5" --iterations 2 --topk 40 \
  --candidates_evaluated 20) --initial_prompt "$long_prompt" > "$WORK/wide.log" 2>&1 ||
  { cat "$WORK/wide.log"; fail "a job with 20 candidates evaluated and a 143-token prompt failed"; }
grep -q '^finished:' "$WORK/wide.log" || { cat "$WORK/wide.log"; fail "the run did not finish"; }

/usr/bin/python3 - "$WORK/wide.h5" <<'PY' || fail "widths or rows"
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    a = f.attrs
    ev = f["evaluations"]
    initial = int(ev["prompt_ids_length"][0])  # the baseline evaluation's prompt
    assert initial == 143, initial
    # The prompt plus one token per iteration; 20 evaluated; text at 16 bytes per token.
    assert int(a["limit_max_prompt_tokens"]) == initial + 2, a["limit_max_prompt_tokens"]
    assert int(a["limit_max_evaluated"]) == 20, a["limit_max_evaluated"]
    assert int(a["limit_max_text_bytes"]) == 16 * (initial + 2), a["limit_max_text_bytes"]
    it = f["iterations"]
    n = int(it["count"][()])
    assert n == 2, n
    for r in range(n):
        assert int(it["prompt_ids_length"][r]) >= initial, it["prompt_ids_length"][r]
        assert int(it["evaluated_count"][r]) == 20, it["evaluated_count"][r]
print("widths follow the job")
PY
echo "run file widths: 20 candidates evaluated and a 143-token prompt recorded"
