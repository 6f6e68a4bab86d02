#!/usr/bin/env bash
# The slurm/ scripts on a real single-node SLURM: slurmctld, slurmd and munged started here, with
# their configuration, keys, state and logs in a temporary folder, and stopped by their process
# ids at the end. The scripts run greater_dist on the demo model, on CPUs (GPUS=0):
#   1. one_task.sh (mpirun)                       -> a finished run file
#   2. bbh_array.sh (srun --mpi=pmix), 2 elements -> %A_%a logs, two finished run files
#   3. bbh_all.sh, the multi-job mode             -> two finished run files and the summary
#   4. one_task.sh, then scancel --signal=USR1 --batch: the script forwards the signal, greater_dist
#      stops (exit 75), the script requeues the job, the job resumes and finishes
#   5. bbh_all.sh with a 2-minute time limit: SLURM's own --signal=B:USR1@30 stops both runs, the
#      job requeues itself and resumes; then a plain scancel (SIGTERM) stops it for good
#   6. `sbatch slurm/one_task.sh NAME` by hand from the checkout (the #SBATCH lines, the checkout
#      found through SLURM_SUBMIT_DIR)
#
#   slurm_test.sh BUILD_DIR      (root; installs slurm-wlm and munge with apt when missing;
#                                KEEP_SLURM_TEST=1 keeps the temporary folder with logs)
# Exit 77 (skipped): not root, or no SLURM and no way to install it, or no demo model.
set -euo pipefail
BUILD_DIR=$(cd "$1" && pwd)
SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
INSPECT=$BUILD_DIR/src/app/greater_inspect
export PATH=$PATH:/usr/sbin:/sbin
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
started=$(date +%s)

note() { echo "[$(($(date +%s) - started))s] $*"; }
skip() { echo "SKIPPED: $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "a private SLURM needs root (slurmd, SlurmUser=root)"
[ -x "$BUILD_DIR/src/app/greater_dist" ] || { echo "FAIL: no greater_dist in $BUILD_DIR" >&2; exit 1; }

# ---- SLURM and munge, from Debian ----------------------------------------------------------------
missing=0
for tool in slurmctld slurmd sbatch scontrol scancel srun munged; do
  command -v "$tool" >/dev/null || missing=1
done
if [ "$missing" = 1 ]; then
  command -v apt-get >/dev/null || skip "no SLURM and no apt-get to install it"
  note "installing slurm-wlm and munge"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends slurm-wlm munge; } ||
    skip "apt-get could not install slurm-wlm munge"
fi

# ---- the demo model ------------------------------------------------------------------------------
MODEL=${GREATER_TEST_MODEL:-$SOURCE_DIR/models/demo-reasoner}
[ -f "$MODEL/config.json" ] || MODEL=/tmp/demo-bench  # an untrained copy, while the model is made
[ -f "$MODEL/config.json" ] || skip "no demo model (models/demo-reasoner; or set GREATER_TEST_MODEL)"

# ---- the cluster ---------------------------------------------------------------------------------
T=$(mktemp -d /tmp/greater-slurm.XXXXXX)
chmod 700 "$T"
mkdir -p "$T/munge" "$T/state" "$T/spool" "$T/log" "$T/jobs"
export SLURM_CONF=$T/slurm.conf
slurmctld_pid="" slurmd_pid=""

show_logs() {
  local f
  for f in "$T"/logs*/*.out; do
    [ -f "$f" ] || continue
    echo "---- $f"
    tail -n 40 "$f"
  done
  for f in "$T/log/slurmctld.log" "$T/log/slurmd.log"; do
    [ -f "$f" ] && { echo "---- $f"; tail -n 30 "$f"; }
  done
  return 0
}
fail() {
  echo "FAIL: $*" >&2
  show_logs
  exit 1
}

cleanup() {
  set +e
  if [ -n "$slurmctld_pid" ]; then
    # Jobs first, so that no slurmstepd or rank outlives the daemons.
    scancel --user=root >/dev/null 2>&1
    for _ in $(seq 30); do
      scontrol show jobs 2>/dev/null | grep -qE 'JobState=(RUNNING|COMPLETING|PENDING|REQUEUED|CONFIGURING)' || break
      sleep 1
    done
  fi
  [ -z "$slurmd_pid" ] || { kill "$slurmd_pid"; wait "$slurmd_pid"; } 2>/dev/null
  [ -z "$slurmctld_pid" ] || { kill "$slurmctld_pid"; wait "$slurmctld_pid"; } 2>/dev/null
  [ -f "$T/munge/munged.pid" ] && kill "$(cat "$T/munge/munged.pid")" 2>/dev/null
  if [ -z "${KEEP_SLURM_TEST:-}" ]; then rm -rf "$T"; else echo "kept $T (KEEP_SLURM_TEST)"; fi
  note "cluster stopped"
}
trap cleanup EXIT

if command -v mungekey >/dev/null; then
  mungekey --create --keyfile="$T/munge/munge.key"
else
  dd if=/dev/urandom of="$T/munge/munge.key" bs=1024 count=1 status=none
fi
chmod 400 "$T/munge/munge.key"
# munged daemonizes itself and writes its pid file; --force: /tmp is world-writable.
munged --force --socket="$T/munge/munge.socket" --key-file="$T/munge/munge.key" \
  --pid-file="$T/munge/munged.pid" --log-file="$T/munge/munged.log" \
  --seed-file="$T/munge/munged.seed" || fail "munged did not start"

read -r ctld_port slurmd_port < <(/usr/bin/python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
memory=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2))
cat >"$SLURM_CONF" <<EOF
ClusterName=greatertest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire also delays a requeued job's start (120 s by default).
AuthInfo=socket=$T/munge/munge.socket,cred_expire=5
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
MinJobAge=3600
KillWait=10
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=1
NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -D -f "$SLURM_CONF" >"$T/log/slurmctld.out" 2>&1 &
slurmctld_pid=$!
slurmd -D -N localhost -f "$SLURM_CONF" >"$T/log/slurmd.out" 2>&1 &
slurmd_pid=$!
for _ in $(seq 60); do
  scontrol show node localhost 2>/dev/null | grep -qE 'State=IDLE' && break
  kill -0 "$slurmctld_pid" 2>/dev/null || { cat "$T/log/slurmctld.out"; fail "slurmctld exited"; }
  kill -0 "$slurmd_pid" 2>/dev/null || { cat "$T/log/slurmd.out"; fail "slurmd exited"; }
  sleep 1
done
scontrol show node localhost | grep -qE 'State=IDLE' || fail "the node never became idle"
note "SLURM $(scontrol --version | awk '{print $2}') up on ports $ctld_port/$slurmd_port, model $MODEL"

# ---- helpers -------------------------------------------------------------------------------------
# The demo jobs, with the model's absolute paths.
for task in arithmetic tracking; do
  sed -e "s|^model = .*|model = \"$MODEL\"|" -e "s|^task = .*|task = \"$MODEL/tasks/$task.jsonl\"|" \
    "$SOURCE_DIR/jobs/demo/$task.toml" >"$T/jobs/$task.toml"
done
export GREATER_ROOT=$SOURCE_DIR BUILD_DIR JOB_DIR=$T/jobs PARTITION=debug TIME=10 GPUS=0 \
  RANKS_PER_NODE=2 CPUS_PER_RANK=1 LAYOUT=demo
small="--train_size 8 --dev_size 4 --test_size 4 --micro_batch 4 --eval_top_prompts 2"
cd "$T"

job_id() { sed -n 's/^Submitted batch job \([0-9]*\).*/\1/p' <<<"$1"; }
job_field() { scontrol show job "$1" 2>/dev/null | grep -o "$2=[^ ]*" | cut -d= -f2; }

# wait_job ID [SECONDS]: until every element of job ID has ended; prints the final states.
wait_job() {
  local id=$1 limit=${2:-240} states
  for _ in $(seq "$limit"); do
    states=$(job_field "$id" JobState | sort -u | tr '\n' ' ')
    case $states in
      '' | *PENDING* | *RUNNING* | *REQUEUE* | *COMPLETING* | *CONFIGURING* | *SUSPENDED*) ;;
      *) echo "$states"; return 0 ;;
    esac
    sleep 1
  done
  fail "job $id still '$states' after ${limit}s"
}

status_of() {  # the status line, read whole (head would cut greater_inspect off: SIGPIPE)
  local text
  text=$("$INSPECT" "$1") || return 1
  text=${text%%$'\n'*}
  echo "${text#"$1": }"
}
iterations_of() { { "$INSPECT" --prompts "$1" 2>/dev/null || true; } | wc -l; }
check_finished() {  # check_finished RUN_FILE ITERATIONS
  [ -f "$1" ] || fail "no run file $1"
  [ "$(status_of "$1")" = finished ] || fail "$1: status $(status_of "$1"), not finished"
  [ "$(iterations_of "$1")" = "$2" ] || fail "$1: $(iterations_of "$1") iterations, not $2"
  [ "$("$INSPECT" --prompts "$1" | cut -d' ' -f1 | tr '\n' ' ')" = "$(seq -s ' ' 0 $(($2 - 1))) " ] ||
    fail "$1: steps are not 0..$(($2 - 1))"
}

# ---- 1. one task ---------------------------------------------------------------------------------
# shellcheck disable=SC2016  # SETUP is expanded in the job
out=$(RUN_DIR=$T/runs1 LOG_DIR=$T/logs1 EXTRA_ARGS="--iterations 3 $small" \
  SETUP='echo "setup ran on $(hostname)"' \
  "$SOURCE_DIR/slurm/one_task.sh" arithmetic) ||
  fail "one_task.sh did not submit: $out"
id=$(job_id "$out")
[ -n "$id" ] || fail "no job id in: $out"
[ "$(wait_job "$id")" = "COMPLETED " ] || fail "one_task job $id: $(job_field "$id" JobState)"
[ -f "$T/logs1/greater-arithmetic-$id.out" ] || fail "no log logs1/greater-arithmetic-$id.out"
grep -q '^setup ran on' "$T/logs1/greater-arithmetic-$id.out" || fail "SETUP did not run"
check_finished "$T/runs1/runs/demo-arithmetic.h5" 3
note "1. one_task.sh: job $id finished its run file"

# ---- 2. array, srun ------------------------------------------------------------------------------
out=$(RUN_DIR=$T/runs2 LOG_DIR=$T/logs2 RANKS_PER_NODE=1 LAUNCHER=srun \
  EXTRA_ARGS="--iterations 3 $small" "$SOURCE_DIR/slurm/bbh_array.sh") ||
  fail "bbh_array.sh did not submit: $out"
id=$(job_id "$out")
[ -n "$id" ] || fail "no job id in: $out"
[ "$(wait_job "$id")" = "COMPLETED " ] || fail "array job $id: $(job_field "$id" JobState)"
for index in 0 1; do
  [ -f "$T/logs2/greater-bbh-demo-${id}_$index.out" ] || fail "no log greater-bbh-demo-${id}_$index.out"
done
grep -q 'srun --mpi=pmix' "$T/logs2/greater-bbh-demo-${id}_0.out" || fail "the array did not use srun"
check_finished "$T/runs2/runs/demo-arithmetic.h5" 3
check_finished "$T/runs2/runs/demo-tracking.h5" 3
note "2. bbh_array.sh: array $id, elements 0 and 1 finished (srun)"

# ---- 3. the suite in one allocation --------------------------------------------------------------
out=$(RUN_DIR=$T/runs3 LOG_DIR=$T/logs3 RANKS_PER_JOB=1 EXTRA_ARGS="--iterations 3 $small" \
  "$SOURCE_DIR/slurm/bbh_all.sh") || fail "bbh_all.sh did not submit: $out"
id=$(job_id "$out")
[ -n "$id" ] || fail "no job id in: $out"
[ "$(wait_job "$id")" = "COMPLETED " ] || fail "bbh_all job $id: $(job_field "$id" JobState)"
log=$T/logs3/greater-bbh-demo-$id.out
grep -q -- '--jobs' "$log" || fail "bbh_all.sh did not use --jobs"
grep -qE 'status +test@0' "$log" || fail "no summary table in $log"
check_finished "$T/runs3/runs/demo-arithmetic.h5" 3
check_finished "$T/runs3/runs/demo-tracking.h5" 3
note "3. bbh_all.sh: job $id ran both tasks in one allocation"

# ---- 4. stop with SIGUSR1, requeue, resume -------------------------------------------------------
run=$T/runs4/runs/demo-tracking.h5
out=$(RUN_DIR=$T/runs4 LOG_DIR=$T/logs4 EXTRA_ARGS="--iterations 16 $small" \
  "$SOURCE_DIR/slurm/one_task.sh" tracking) || fail "one_task.sh did not submit: $out"
id=$(job_id "$out")
for _ in $(seq 600); do
  [ "$(iterations_of "$run")" -ge 2 ] && break
  sleep 0.2
done
[ "$(iterations_of "$run")" -ge 2 ] || fail "job $id never recorded two iterations"
scancel --signal=USR1 --batch "$id"
note "4. sent SIGUSR1 to the batch script of job $id"
[ "$(wait_job "$id")" = "COMPLETED " ] || fail "job $id: $(job_field "$id" JobState)"
log=$T/logs4/greater-tracking-$id.out
[ "$(job_field "$id" Restarts)" = 1 ] || fail "job $id restarted $(job_field "$id" Restarts) times, not once"
grep -q 'greater_dist exited with 75' "$log" || fail "greater_dist did not exit 75"
grep -q 'requeueing job' "$log" || fail "the script did not requeue"
grep -q 'resuming' "$log" || fail "the second start did not resume the run file"
check_finished "$run" 16
note "4. one_task.sh: job $id stopped, requeued, resumed and finished"

# ---- 5. the time limit, then scancel -------------------------------------------------------------
# TIME=2 minutes, STOP_SECONDS=30: SLURM sends SIGUSR1 30 s before the limit, or up to a minute
# earlier (its time-limit checks are coarse): 30 to 90 s after the start.
# loss_threshold 100: every iteration restarts the sweep at position 0, so the prompt never grows
# past the run file's max_prompt_tokens however many iterations run before the limit (at the
# demo jobs' topk 40 / 3 candidates a sweep rarely ends on '.', and the filler made it grow).
out=$(RUN_DIR=$T/runs5 LOG_DIR=$T/logs5 RANKS_PER_JOB=1 TIME=2 STOP_SECONDS=30 \
  EXTRA_ARGS="--iterations 100000 --loss_threshold 100 $small" "$SOURCE_DIR/slurm/bbh_all.sh") ||
  fail "bbh_all.sh did not submit: $out"
id=$(job_id "$out")
log=$T/logs5/greater-bbh-demo-$id.out
for _ in $(seq 200); do
  [ "$(grep -c 'resuming' "$log" 2>/dev/null)" = 2 ] && [ "$(job_field "$id" JobState)" = RUNNING ] && break
  sleep 1
done
grep -q 'received SIGUSR1' "$log" || fail "no SIGUSR1 before the time limit"
grep -q 'requeueing job' "$log" || fail "job $id did not requeue itself at the time limit"
[ "$(grep -c 'resuming' "$log")" = 2 ] || fail "the second start did not resume both run files"
note "5. bbh_all.sh: job $id stopped by its time limit signal, requeued, resumed both tasks"
sleep 2
scancel "$id"
states=$(wait_job "$id" 60)
sleep 5  # a requeue would show by now
[ "$(job_field "$id" JobState)" = CANCELLED ] || fail "job $id after scancel: $states"
[ "$(job_field "$id" Restarts)" = 1 ] || fail "job $id requeued after scancel"
for task in arithmetic tracking; do
  status=$(status_of "$T/runs5/runs/demo-$task.h5")
  case $status in interrupted* | running*) ;; *) fail "demo-$task.h5 after scancel: $status" ;; esac
done
note "5. scancel: job $id cancelled, not requeued, run files resumable"
# ---- 6. sbatch run by hand from the checkout --------------------------------------------------
mkdir -p "$T/logs6"
out=$(cd "$SOURCE_DIR" && env -u GREATER_ROOT RUN_DIR="$T/runs6" EXTRA_ARGS="--iterations 2 $small" \
  sbatch --ntasks=2 --output="$T/logs6/%x-%j.out" slurm/one_task.sh tracking) ||
  fail "sbatch slurm/one_task.sh did not submit: $out"
id=$(job_id "$out")
[ "$(wait_job "$id")" = "COMPLETED " ] || fail "job $id: $(job_field "$id" JobState)"
[ "$(job_field "$id" JobName)" = greater-task ] || fail "job $id: not named by its #SBATCH line"
check_finished "$T/runs6/runs/demo-tracking.h5" 2
note "6. sbatch slurm/one_task.sh from the checkout: job $id finished"
echo "slurm scripts on a private SLURM: ok"
