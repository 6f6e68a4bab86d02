#!/usr/bin/env bash
# One greater-dist job on SLURM: a BBH task by name, or any job file, on NODES x RANKS_PER_NODE
# ranks. A run stopped by the time limit (SIGUSR1 STOP_SECONDS before it) requeues itself and
# resumes from its run file.
#
#   slurm/one_task.sh boolean_expressions            # submits itself with the variables below
#   MODEL=/models/llama3-8b slurm/one_task.sh navigate
#   GPUS=0 RANKS_PER_NODE=2 slurm/one_task.sh jobs/demo/arithmetic.toml   # CPU run
#   DRY_RUN=1 slurm/one_task.sh navigate             # print the sbatch command only
#   sbatch [options] slurm/one_task.sh navigate      # or submit it yourself, from the checkout
#
# Run as `slurm/one_task.sh`, the script calls sbatch with the resources below; under sbatch it
# runs the job. The lines below are only used when you call sbatch yourself.
#SBATCH --job-name=greater-task
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
export TASK=${1:-${TASK:-}}                 # task name in JOB_DIR (navigate) or a job file path
export MODEL=${MODEL:-}                     # model folder; empty: the job file's model
export DATA_DIR=${DATA_DIR:-$GREATER_ROOT/data}  # holds bbh/, gsm8k/, folio/ (the shipped copy)
export BUILD_DIR=${BUILD_DIR:-$GREATER_ROOT/build}  # holds src/app/greater_dist
export LAYOUT=${LAYOUT:-llama3}             # job set jobs/bbh/$LAYOUT: llama3 or gemma2
export JOB_DIR=${JOB_DIR:-$GREATER_ROOT/jobs/bbh/$LAYOUT}
export PARTITION=${PARTITION:-gpu}          # empty: the cluster's default partition
export ACCOUNT=${ACCOUNT:-}                 # empty: your default account
export TIME=${TIME:-12:00:00}               # time limit per start (requeues start afresh)
export NODES=${NODES:-1}
export GPUS=${GPUS:-2}                      # GPUs per node, one rank each; 0: a CPU run
export RANKS_PER_NODE=${RANKS_PER_NODE:-}   # empty: GPUS (1 when GPUS=0)
export CPUS_PER_RANK=${CPUS_PER_RANK:-8}    # cores per rank (LibTorch threads)
export MEM=${MEM:-}                         # memory per node (e.g. 128G); empty: the default
export LAUNCHER=${LAUNCHER:-mpirun}         # mpirun (Open MPI) or srun (srun --mpi=pmix)
export EXTRA_ARGS=${EXTRA_ARGS:-}           # more greater_dist options ("--preset fast")
export SETUP=${SETUP:-}                     # run in the job first: "module load openmpi cuda"
# ---- Rarely changed. -----------------------------------------------------------------------------
export RUN_DIR=${RUN_DIR:-$GREATER_ROOT}    # relative run_file paths (runs/...) start here
export LOG_DIR=${LOG_DIR:-$GREATER_ROOT/logs}  # SLURM output: LOG_DIR/<job name>-<job id>.out
export STOP_SECONDS=${STOP_SECONDS:-120}    # SIGUSR1 this long before the time limit
export REQUEUE=${REQUEUE:-1}                # 1: requeue a run stopped by SIGUSR1 (exit 75)
export MAX_RESTARTS=${MAX_RESTARTS:-20}     # ...at most this many times
export GRES=${GRES:-}                       # empty: gpu:$GPUS; e.g. gpu:a100:4 for a GPU type
export DEVICE=${DEVICE:-}                   # empty: cuda when GPUs are allocated, else cpu
export MPIRUN_ARGS=${MPIRUN_ARGS:---bind-to none}  # more mpirun options
export SRUN_ARGS=${SRUN_ARGS:-}             # more srun options
export SBATCH_ARGS=${SBATCH_ARGS:-}         # more sbatch options (--qos=high --constraint=a100)
export DRY_RUN=${DRY_RUN:-0}                # 1: print the sbatch command, submit nothing
export TASK_LIST=${TASK_LIST:-}
# --------------------------------------------------------------------------------------------------
set -euo pipefail
lib=$GREATER_ROOT/slurm/lib.sh
[ -f "$lib" ] || { echo "error: no $lib: set GREATER_ROOT to the greater-dist checkout" >&2; exit 2; }
# shellcheck source=slurm/lib.sh
source "$lib"
greater_absolute_paths
greater_derive_settings
greater_check_settings
[ -n "$TASK" ] || greater_die "name a task: slurm/one_task.sh TASK (a name in $JOB_DIR or a job file)"
job=$(greater_job_file "$TASK")
greater_check_job_files "$job"

if [ -z "${SLURM_JOB_ID:-}" ]; then
  TASK=$job
  greater_submit "$0" --job-name="greater-$(basename "$job" .toml)" --output="$LOG_DIR/%x-%j.out"
  exit
fi

if greater_finished "$job"; then
  greater_log "$job: its run file is finished already; nothing to do"
  exit 0
fi
greater_make_run_dirs "$job"
greater_run --job "$job"
