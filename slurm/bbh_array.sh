#!/usr/bin/env bash
# The BBH suite as a SLURM job array: one array element per task, each on NODES x RANKS_PER_NODE
# ranks; logs LOG_DIR/<job name>-<array job id>_<index>.out. An element stopped by the time limit
# (SIGUSR1 STOP_SECONDS before it) requeues itself and resumes from its run file; elements whose
# run files are finished do nothing, so resubmitting the array finishes what is left.
#
#   MODEL=/models/llama3-8b slurm/bbh_array.sh    # submits itself
#   LAYOUT=gemma2 MODEL=/models/gemma2-9b slurm/bbh_array.sh
#   TASK_LIST=my_tasks.txt slurm/bbh_array.sh    # a file of task names / job files, one a line
#   ARRAY_LIMIT=4 slurm/bbh_array.sh             # at most 4 elements at a time
#   DRY_RUN=1 slurm/bbh_array.sh                 # print the sbatch command only
#   sbatch --array=0-20 [options] slurm/bbh_array.sh   # or submit it yourself, from the checkout
#
# Run as `slurm/bbh_array.sh`, the script calls sbatch with the resources below and --array sized
# to the task list; under sbatch it runs element $SLURM_ARRAY_TASK_ID of the sorted list.
#SBATCH --job-name=greater-bbh
#SBATCH --output=%x-%A_%a.out
#SBATCH --open-mode=append
#SBATCH --signal=B:USR1@120
#SBATCH --requeue

# ---- What you edit. Each line is VAR=${VAR:-default}: the environment overrides it. -------------
if [ -z "${GREATER_ROOT:-}" ]; then  # the greater-dist checkout
  if [ -n "${SLURM_JOB_ID:-}" ]; then GREATER_ROOT=${SLURM_SUBMIT_DIR:-$PWD}  # a job runs a copy
  else GREATER_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd); fi
fi
export GREATER_ROOT
export MODEL=${MODEL:-}                     # model folder (the BBH job files leave it empty)
export DATA_DIR=${DATA_DIR:-$GREATER_ROOT/data}  # holds bbh/, gsm8k/, folio/ (the shipped copy)
export BUILD_DIR=${BUILD_DIR:-$GREATER_ROOT/build}  # holds src/app/greater_dist
export LAYOUT=${LAYOUT:-llama3}             # job set jobs/bbh/$LAYOUT: llama3 or gemma2
export JOB_DIR=${JOB_DIR:-$GREATER_ROOT/jobs/bbh/$LAYOUT}  # every *.toml here is a task
export TASK_LIST=${TASK_LIST:-}             # a file of task names or job files instead of JOB_DIR
export PARTITION=${PARTITION:-gpu}          # empty: the cluster's default partition
export ACCOUNT=${ACCOUNT:-}                 # empty: your default account
export TIME=${TIME:-12:00:00}               # time limit per element and start
export NODES=${NODES:-1}                    # per element
export GPUS=${GPUS:-2}                      # GPUs per node, one rank each; 0: a CPU run
export RANKS_PER_NODE=${RANKS_PER_NODE:-}   # empty: GPUS (1 when GPUS=0)
export CPUS_PER_RANK=${CPUS_PER_RANK:-8}    # cores per rank (LibTorch threads)
export MEM=${MEM:-}                         # memory per node (e.g. 128G); empty: the default
export ARRAY_LIMIT=${ARRAY_LIMIT:-}         # most elements running at once; empty: no limit
export LAUNCHER=${LAUNCHER:-mpirun}         # mpirun (Open MPI) or srun (srun --mpi=pmix)
export EXTRA_ARGS=${EXTRA_ARGS:-}           # more greater_dist options ("--preset fast")
export SETUP=${SETUP:-}                     # run in the job first: "module load openmpi cuda"
# ---- Rarely changed. -----------------------------------------------------------------------------
export RUN_DIR=${RUN_DIR:-$GREATER_ROOT}    # relative run_file paths (runs/llama3/...) start here
export LOG_DIR=${LOG_DIR:-$GREATER_ROOT/logs}  # SLURM output, and the frozen task list
export STOP_SECONDS=${STOP_SECONDS:-120}    # SIGUSR1 this long before the time limit
export REQUEUE=${REQUEUE:-1}                # 1: requeue a run stopped by SIGUSR1 (exit 75)
export MAX_RESTARTS=${MAX_RESTARTS:-20}     # ...at most this many times
export GRES=${GRES:-}                       # empty: gpu:$GPUS; e.g. gpu:a100:4 for a GPU type
export DEVICE=${DEVICE:-}                   # empty: cuda when GPUs are allocated, else cpu
export MPIRUN_ARGS=${MPIRUN_ARGS:---bind-to none}  # more mpirun options
export SRUN_ARGS=${SRUN_ARGS:-}             # more srun options
export SBATCH_ARGS=${SBATCH_ARGS:-}         # more sbatch options (--qos=high --constraint=a100)
export DRY_RUN=${DRY_RUN:-0}                # 1: print the sbatch command, submit nothing
# --------------------------------------------------------------------------------------------------
set -euo pipefail
lib=$GREATER_ROOT/slurm/lib.sh
[ -f "$lib" ] || { echo "error: no $lib: set GREATER_ROOT to the greater-dist checkout" >&2; exit 2; }
# shellcheck source=slurm/lib.sh
source "$lib"
greater_absolute_paths
greater_derive_settings
greater_check_settings
list=$(greater_task_list)
[ -n "$list" ] || greater_die "no tasks: JOB_DIR=$JOB_DIR has no *.toml${TASK_LIST:+ (TASK_LIST=$TASK_LIST is empty)}"
mapfile -t jobs <<<"$list"

if [ -z "${SLURM_JOB_ID:-}" ]; then
  greater_check_job_files "${jobs[@]}"
  if [ "$DRY_RUN" != 1 ]; then
    # The array and its requeued elements read this frozen list, whatever JOB_DIR holds later.
    mkdir -p "$LOG_DIR"
    TASK_LIST=$LOG_DIR/greater-bbh-$LAYOUT-tasks-$(date +%Y%m%d-%H%M%S)-$$.txt
    printf '%s\n' "${jobs[@]}" >"$TASK_LIST"
  fi
  echo "${#jobs[@]} tasks${TASK_LIST:+, listed in $TASK_LIST}"
  greater_submit "$0" --job-name="greater-bbh-$LAYOUT" --output="$LOG_DIR/%x-%A_%a.out" \
    --array="0-$((${#jobs[@]} - 1))${ARRAY_LIMIT:+%$ARRAY_LIMIT}"
  exit
fi

index=${SLURM_ARRAY_TASK_ID:?not an array job: submit with --array=0-$((${#jobs[@]} - 1)) or run slurm/bbh_array.sh}
if [ "$index" -ge "${#jobs[@]}" ]; then
  greater_log "array index $index: the list has only ${#jobs[@]} tasks; nothing to do"
  exit 0
fi
job=${jobs[$index]}
greater_log "array element $index: $job"
greater_check_job_files "$job"
if greater_finished "$job"; then
  greater_log "$job: its run file is finished already; nothing to do"
  exit 0
fi
greater_make_run_dirs "$job"
greater_run --job "$job"
