# shellcheck shell=bash
# The machinery behind bbh_all.sh, bbh_array.sh and one_task.sh; sourced by them, not run.
#
#  * Submission: run outside a job, a script calls greater_submit, which turns the variables at
#    the top of the script into sbatch options and submits the same script.
#  * The run: inside the job, greater_run starts greater_dist under $LAUNCHER (mpirun or srun),
#    forwards SIGUSR1 / SIGTERM to it, and when greater_dist exits 75 (stopped at an iteration
#    boundary, run file flushed) it requeues the job with `scontrol requeue`, so the next start
#    resumes every unfinished run file. See docs/CLUSTER.md.

greater_log() { echo "[$(date '+%F %T')] $*"; }
greater_die() { echo "error: $*" >&2; exit 2; }

# ---- checks and paths ---------------------------------------------------------------------------

greater_is_count() { case $1 in '' | *[!0-9]*) return 1 ;; esac; }

# Shared by every script; run at submission (a mistake costs no queue time) and in the job.
greater_check_settings() {
  GREATER_DIST=$BUILD_DIR/src/app/greater_dist
  [ -x "$GREATER_DIST" ] || greater_die "no $GREATER_DIST: set BUILD_DIR, or build it with" \
    "cmake --build $BUILD_DIR --target greater_dist"
  [ -z "$MODEL" ] || [ -d "$MODEL" ] || greater_die "MODEL=$MODEL is not a folder"
  [ -z "$DATA_DIR" ] || [ -d "$DATA_DIR" ] || greater_die "DATA_DIR=$DATA_DIR is not a folder"
  greater_is_count "$GPUS" || greater_die "GPUS=$GPUS: a number of GPUs per node (0: CPU run)"
  local v
  for v in NODES RANKS_PER_NODE CPUS_PER_RANK; do
    if ! greater_is_count "${!v}" || [ "${!v}" -eq 0 ]; then
      greater_die "$v=${!v}: a positive number"
    fi
  done
  if [ "$GPUS" -gt 0 ] && [ "$RANKS_PER_NODE" -gt "$GPUS" ]; then
    greater_die "RANKS_PER_NODE=$RANKS_PER_NODE but GPUS=$GPUS: one GPU per rank at most"
  fi
  case $LAUNCHER in
    mpirun | srun) ;;
    *) greater_die "LAUNCHER=$LAUNCHER: mpirun or srun" ;;
  esac
}

# Absolute paths, so that the job does not depend on where it starts.
greater_absolute_paths() {
  local v
  for v in GREATER_ROOT BUILD_DIR MODEL DATA_DIR JOB_DIR RUN_DIR LOG_DIR TASK_LIST; do
    if [ -n "${!v:-}" ] && [ "${!v:0:1}" != / ]; then
      printf -v "$v" '%s' "$PWD/${!v}"
    fi
  done
}

# greater_job_file NAME_OR_PATH: a task name (boolean_expressions) is $JOB_DIR/NAME.toml; a path
# (anything with a / or ending .toml) is taken as is, relative to GREATER_ROOT.
greater_job_file() {
  local task=$1
  case $task in
    */* | *.toml) ;;
    *) task=$JOB_DIR/$task.toml ;;
  esac
  [ "${task:0:1}" = / ] || task=$GREATER_ROOT/$task
  [ -f "$task" ] || greater_die "no job file $task"
  printf '%s\n' "$task"
}

# greater_task_list: the job files, one a line: from TASK_LIST (a file of task names or job file
# paths, # comments and blank lines skipped), else every *.toml in JOB_DIR, sorted.
greater_task_list() {
  local line
  if [ -n "${TASK_LIST:-}" ]; then
    [ -f "$TASK_LIST" ] || greater_die "TASK_LIST=$TASK_LIST is not a file"
    while IFS= read -r line || [ -n "$line" ]; do
      line=${line%%#*}
      line=$(printf '%s' "$line" | tr -d '[:space:]')
      [ -z "$line" ] || greater_job_file "$line"
    done <"$TASK_LIST"
  else
    [ -d "$JOB_DIR" ] || greater_die "JOB_DIR=$JOB_DIR is not a folder"
    find "$JOB_DIR" -maxdepth 1 -name '*.toml' | LC_ALL=C sort
  fi
}

# greater_toml_value FILE KEY: a top-level string value of a job file ("" when not there).
greater_toml_value() {
  sed -n "/^[[:space:]]*$2[[:space:]]*=/{s/^[^=]*=[[:space:]]*\"\\([^\"]*\\)\".*/\\1/p;q;}" "$1"
}

# Things greater_dist would only report after the queue wait: a job file that leaves model or
# data_dir to the command line while MODEL or DATA_DIR is empty.
greater_check_job_files() {
  local file
  for file in "$@"; do
    if [ -z "$MODEL" ] && [ -z "$(greater_toml_value "$file" model)" ]; then
      greater_die "$file has model = \"\": set MODEL (the model folder)"
    fi
    if [ -z "$DATA_DIR" ] && grep -q '^[[:space:]]*data_dir[[:space:]]*=[[:space:]]*""' "$file" &&
      [ "$(greater_toml_value "$file" task)" != "" ] &&
      [ "$(greater_toml_value "$file" task | cut -c1)" != / ]; then
      greater_die "$file has data_dir = \"\" and a relative task: set DATA_DIR (the data folder)"
    fi
  done
}

# greater_make_run_dirs FILE...: greater_dist does not create the folder of a run file.
greater_make_run_dirs() {
  local file run_file
  for file in "$@"; do
    run_file=$(greater_toml_value "$file" run_file)
    [ -z "$run_file" ] && continue
    [ "${run_file:0:1}" = / ] || run_file=$RUN_DIR/$run_file
    mkdir -p "$(dirname "$run_file")"
  done
}

# ---- submission ---------------------------------------------------------------------------------

# greater_submit SCRIPT [sbatch options...]: submits SCRIPT with the resources of the variables
# (which travel to the job in its environment). DRY_RUN=1 prints the command instead.
greater_submit() {
  local script=$1
  shift
  local -a opts=(--export=ALL --nodes="$NODES" --ntasks-per-node="$RANKS_PER_NODE"
    --cpus-per-task="$CPUS_PER_RANK" --time="$TIME" --signal="B:USR1@$STOP_SECONDS" --requeue
    --open-mode=append)
  [ -z "$PARTITION" ] || opts+=(--partition="$PARTITION")
  [ -z "$ACCOUNT" ] || opts+=(--account="$ACCOUNT")
  [ -z "$MEM" ] || opts+=(--mem="$MEM")
  # One GPU per rank, but every rank of a node sees all of the node's GPUs (no per-task
  # CUDA_VISIBLE_DEVICES): greater_dist picks cuda:<local rank>, and uses NCCL only when each
  # rank sees at least as many GPUs as there are ranks on its node.
  [ "$GPUS" -eq 0 ] || opts+=(--gres="${GRES:-gpu:$GPUS}")
  local -a extra=()
  read -ra extra <<<"$SBATCH_ARGS"
  opts+=("${extra[@]}" "$@")
  export GREATER_ROOT BUILD_DIR MODEL DATA_DIR JOB_DIR RUN_DIR LOG_DIR TASK_LIST
  if [ "$DRY_RUN" = 1 ]; then
    printf 'sbatch'
    printf ' %q' "${opts[@]}" "$script"
    printf '\n'
    return 0
  fi
  mkdir -p "$LOG_DIR"
  command -v sbatch >/dev/null || greater_die "sbatch not found: submit from a SLURM login node"
  sbatch "${opts[@]}" "$script"
}

# ---- the run inside the job ---------------------------------------------------------------------

greater_usr1=""  # SIGUSR1 arrived: the time limit is near, or a requested stop-and-requeue
greater_term=""  # SIGTERM arrived: scancel, preemption, or the time limit itself
greater_child=""
greater_pending=""  # a trapped signal cut the current `wait` short

greater_forward() {  # trap handler: greater_forward SIGNAL
  if [ "$1" = USR1 ]; then greater_usr1=1; else greater_term=1; fi
  greater_pending=1
  greater_log "received SIG$1: passing it to $LAUNCHER (pid ${greater_child:-none}); the run" \
    "stops at the next iteration boundary"
  [ -z "$greater_child" ] || kill -s "$1" "$greater_child" 2>/dev/null || true
}

# greater_run ARGS...: runs greater_dist with ARGS on every task of the job, then exits with its
# code (after requeueing the job when it was stopped to be resumed).
greater_run() {
  if [ -n "${SETUP:-}" ]; then
    greater_log "setup: $SETUP"
    set +u  # module scripts often read unset variables
    eval "$SETUP" || greater_die "SETUP failed: $SETUP"
    set -u
  fi
  command -v "$LAUNCHER" >/dev/null || greater_die "$LAUNCHER not found in PATH (set SETUP?)"
  # LibTorch's OpenMP threads spin while they wait; on shared or oversubscribed cores that spinning
  # takes the cores from the work (docs/RESULTS.md, "OpenMP wait policy"). Sleeping waiters cost
  # little even on idle cores. mpirun and srun pass the environment on to every rank.
  export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
  local ranks=${SLURM_NTASKS:-$((NODES * RANKS_PER_NODE))}
  local -a launch extra common
  case $LAUNCHER in
    mpirun)
      # Open MPI takes the hosts and slots from the SLURM allocation.
      launch=(mpirun -n "$ranks")
      read -ra extra <<<"$MPIRUN_ARGS"
      ;;
    srun)
      # Slurm 22.05+ no longer passes --cpus-per-task from sbatch to srun by itself.
      launch=(srun --mpi=pmix --kill-on-bad-exit=1 --ntasks="$ranks"
        --cpus-per-task="${SLURM_CPUS_PER_TASK:-$CPUS_PER_RANK}")
      read -ra extra <<<"$SRUN_ARGS"
      ;;
  esac
  launch+=("${extra[@]}")

  read -ra extra <<<"$EXTRA_ARGS"
  [ -z "$MODEL" ] || common+=(--model "$MODEL")
  [ -z "$DATA_DIR" ] || common+=(--data_dir "$DATA_DIR")
  local device=${DEVICE:-}
  if [ -z "$device" ]; then
    # cuda = cuda:<local rank>, one GPU per rank; the allocation's GPU count wins over GPUS.
    if [ "${SLURM_GPUS_ON_NODE:-$GPUS}" -gt 0 ] 2>/dev/null; then
      device=cuda
    else
      device=cpu
    fi
  fi
  case " $EXTRA_ARGS " in *" --device "*) ;; *) common+=(--device "$device") ;; esac
  case " $EXTRA_ARGS " in
    *" --threads "*) ;;
    *) common+=(--threads "${SLURM_CPUS_PER_TASK:-$CPUS_PER_RANK}") ;;
  esac

  mkdir -p "$RUN_DIR"
  cd "$RUN_DIR" || greater_die "cannot enter RUN_DIR=$RUN_DIR"
  greater_log "job ${SLURM_JOB_ID:-?} (restart ${SLURM_RESTART_COUNT:-0}) on ${SLURM_JOB_NODELIST:-$(hostname)}:" \
    "$ranks rank(s), device $device, run files under $RUN_DIR"
  local -a command=("${launch[@]}" "$GREATER_DIST" "$@" "${common[@]}" "${extra[@]}")
  greater_log "${command[*]}"

  trap 'greater_forward USR1' USR1
  trap 'greater_forward TERM' TERM
  "${command[@]}" &
  greater_child=$!
  local code
  while :; do
    code=0
    wait "$greater_child" || code=$?
    # A trapped signal ends `wait` early (code > 128): wait again for the real exit code (bash
    # keeps it when the launcher has ended meanwhile).
    if [ "$code" -gt 128 ] && [ -n "$greater_pending" ]; then
      greater_pending=""
      continue
    fi
    break
  done
  greater_child=""
  trap - USR1 TERM
  greater_log "greater_dist exited with $code"

  if [ "$code" -eq 75 ]; then
    greater_requeue
    exit 75
  fi
  if [ "$code" -ne 0 ] && [ -n "$greater_term" ]; then
    # SLURM sends SIGTERM to every process of the job, mpirun included, which then ends the ranks
    # itself: the exit code is not 75, but the run files keep every finished iteration.
    greater_log "ended by SIGTERM (scancel, preemption or the time limit): submit the same" \
      "script again to resume from the run files"
  fi
  exit "$code"
}

# Exit 75: the run stopped at an iteration boundary and resumes from its run file(s).
greater_requeue() {
  local restarts=${SLURM_RESTART_COUNT:-0}
  if [ -n "$greater_term" ] && [ -z "$greater_usr1" ]; then
    # SIGTERM alone reaches the batch script on scancel and on preemption: a cancelled job must
    # stay cancelled, and a preempted one is requeued by SLURM itself (PreemptMode=REQUEUE).
    # (SIGTERM after SIGUSR1 is the time limit catching a run that was already stopping.)
    greater_log "stopped by SIGTERM: not requeued; submit the same script again to resume"
  elif [ "$REQUEUE" != 1 ]; then
    greater_log "stopped; REQUEUE=$REQUEUE, so submit the same script again to resume"
  elif [ -z "${SLURM_JOB_ID:-}" ]; then
    greater_log "stopped outside SLURM: run the same command again to resume"
  elif [ "$restarts" -ge "$MAX_RESTARTS" ]; then
    greater_log "stopped after $restarts restarts (MAX_RESTARTS=$MAX_RESTARTS): not requeued"
  else
    # scontrol ends this script at once, so the message comes first.
    greater_log "stopped to be resumed: requeueing job $SLURM_JOB_ID (restart $((restarts + 1)))"
    scontrol requeue "$SLURM_JOB_ID" ||
      greater_log "scontrol requeue failed: submit the same script again to resume"
  fi
}

# Defaults that depend on other variables.
greater_derive_settings() {
  [ -n "$RANKS_PER_NODE" ] || RANKS_PER_NODE=$GPUS
  [ "$RANKS_PER_NODE" != 0 ] || RANKS_PER_NODE=1
  export RANKS_PER_NODE
}

# greater_finished JOB_FILE: true when the job's run file exists and is finished (greater_dist
# would refuse it without --overwrite; the multi-job mode skips it).
greater_finished() {
  local run_file
  run_file=$(greater_toml_value "$1" run_file)
  [ -n "$run_file" ] || return 1
  [ "${run_file:0:1}" = / ] || run_file=$RUN_DIR/$run_file
  [ -f "$run_file" ] || return 1
  local status
  status=$("$BUILD_DIR/src/app/greater_inspect" "$run_file" 2>/dev/null | head -n 1) || true
  case $status in "$run_file: finished"*) return 0 ;; esac
  return 1
}
