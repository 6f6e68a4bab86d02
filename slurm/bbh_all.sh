#!/usr/bin/env bash
# The whole BBH suite in one SLURM allocation, with greater_dist's multi-job mode: the
# NODES x RANKS_PER_NODE ranks split into groups of RANKS_PER_JOB that take job files from a
# queue; finished run files are skipped, unfinished ones resumed, and a summary table ends the
# log. A run stopped by the time limit (SIGUSR1 STOP_SECONDS before it) requeues the job, and
# the next start carries on where every run file stopped.
#
#   MODEL=/models/llama3-8b slurm/bbh_all.sh    # submits itself
#   LAYOUT=gemma2 MODEL=/models/gemma2-9b NODES=2 slurm/bbh_all.sh
#   DRY_RUN=1 slurm/bbh_all.sh                  # print the sbatch command only
#   sbatch [options] slurm/bbh_all.sh           # or submit it yourself, from the checkout
#
# Run as `slurm/bbh_all.sh`, the script calls sbatch with the resources below; under sbatch it
# runs the suite. The lines below are only used when you call sbatch yourself.
#SBATCH --job-name=greater-bbh-all
#SBATCH --output=%x-%j.out
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
export TIME=${TIME:-24:00:00}               # time limit per start (requeues start afresh)
export NODES=${NODES:-1}
export GPUS=${GPUS:-8}                      # GPUs per node, one rank each; 0: a CPU run
export RANKS_PER_NODE=${RANKS_PER_NODE:-}   # empty: GPUS (1 when GPUS=0)
export RANKS_PER_JOB=${RANKS_PER_JOB:-2}    # ranks per task; NODES*RANKS_PER_NODE/this run at once
export CPUS_PER_RANK=${CPUS_PER_RANK:-8}    # cores per rank (LibTorch threads)
export MEM=${MEM:-}                         # memory per node (e.g. 512G); empty: the default
export LAUNCHER=${LAUNCHER:-mpirun}         # mpirun (Open MPI) or srun (srun --mpi=pmix)
export EXTRA_ARGS=${EXTRA_ARGS:-}           # more greater_dist options ("--preset fast")
export SETUP=${SETUP:-}                     # run in the job first: "module load openmpi cuda"
# ---- Rarely changed. -----------------------------------------------------------------------------
export RUN_DIR=${RUN_DIR:-$GREATER_ROOT}    # relative run_file paths (runs/llama3/...) start here
export LOG_DIR=${LOG_DIR:-$GREATER_ROOT/logs}  # SLURM output: LOG_DIR/<job name>-<job id>.out
export STOP_SECONDS=${STOP_SECONDS:-120}    # SIGUSR1 this long before the time limit
export REQUEUE=${REQUEUE:-1}                # 1: requeue a run stopped by SIGUSR1 (exit 75)
export MAX_RESTARTS=${MAX_RESTARTS:-20}     # ...at most this many times
export GRES=${GRES:-}                       # empty: gpu:$GPUS; e.g. gpu:a100:8 for a GPU type
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
if ! greater_is_count "$RANKS_PER_JOB" || [ "$RANKS_PER_JOB" -eq 0 ]; then
  greater_die "RANKS_PER_JOB=$RANKS_PER_JOB: a positive number"
fi
ranks=${SLURM_NTASKS:-$((NODES * RANKS_PER_NODE))}
[ $((ranks % RANKS_PER_JOB)) -eq 0 ] ||
  greater_die "$ranks ranks do not split into groups of RANKS_PER_JOB=$RANKS_PER_JOB"
list=$(greater_task_list)
[ -n "$list" ] || greater_die "no tasks: JOB_DIR=$JOB_DIR has no *.toml${TASK_LIST:+ (TASK_LIST=$TASK_LIST is empty)}"
mapfile -t jobs <<<"$list"
greater_check_job_files "${jobs[@]}"

if [ -z "${SLURM_JOB_ID:-}" ]; then
  echo "${#jobs[@]} tasks on $ranks ranks, $((ranks / RANKS_PER_JOB)) at a time"
  greater_submit "$0" --job-name="greater-bbh-$LAYOUT" --output="$LOG_DIR/%x-%j.out"
  exit
fi

greater_make_run_dirs "${jobs[@]}"
greater_run --jobs "${jobs[@]}" --ranks-per-job "$RANKS_PER_JOB"
