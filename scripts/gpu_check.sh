#!/usr/bin/env bash
# The GPU check: runs on a machine with an NVIDIA GPU, CUDA 13 and PyTorch 2.x, from the
# repository root, using gpu-bundle/ (scripts/gpu_bundle.sh: the CUDA build made against the same
# torch version's LibTorch, plus the Debian runtime libraries and Open MPI the machine lacks).
# The programs load the machine's own LibTorch, CUDA runtime and NCCL.
#
#   scripts/gpu_check.sh [RESULTS_DIR]     (default: $OUT when set, else gpu-check/)
#   GPU_CHECK_STEPS="env nccl" scripts/gpu_check.sh    only the steps named (default: all)
#
# Steps, each with its own log in RESULTS_DIR and a line in RESULTS_DIR/summary.tsv
# (step, pass/FAIL, seconds); the exit code is the number of failed steps:
#   env         nvidia-smi, torch and CUDA versions, the bundle's manifest
#   nccl        the communicator test on one rank with NCCL preferred: the NCCL backend must be chosen
#   model_cuda  the transformer tests with CUDA tensors (GREATER_TEST_DEVICE=cuda): plain-PyTorch
#               and transformers fixtures in float32 (and bfloat16 where the fixture has it), KV-cache
#               and batched decoding
#   demo        the demo job on the GPU (mpirun -n 1, --device cuda), then its run file's summary
#   bench_1b    greater_bench at the Llama-3.2-1B shape, bf16, random weights, 3 iterations (the
#               first also decodes the current prompt's chains; later ones reuse the chosen chains)
#   bench_8b    greater_bench at the Llama-3-8B shape, bf16, random weights, the paper's settings
#               (50 examples, 3 candidates, chains fixed at 512 tokens)
# Budget: under 10 minutes on one H100/H200 (each step has its own timeout).
set -uo pipefail
cd "$(dirname "$0")/.."
results=${1:-${OUT:-gpu-check}}
mkdir -p "$results"
source scripts/gpu_env.sh
export results

summary=$results/summary.tsv
printf 'step\tresult\tseconds\n' >"$summary"
failures=0
step() {  # step NAME TIMEOUT_S command...: runs, logs to RESULTS/NAME.log, records the result
  local name=$1 limit=$2 start=$SECONDS code
  shift 2
  [[ " ${GPU_CHECK_STEPS:-$name} " == *" $name "* ]] || return 0
  echo "== $name: $*" >"$results/$name.log"
  # Through bash, so that a step can be one of the functions below (exported with export -f).
  timeout "$limit" bash -c '"$@"' "$name" "$@" >>"$results/$name.log" 2>&1
  code=$?
  local result=pass
  [ $code = 0 ] || { result="FAIL($code)"; failures=$((failures + 1)); }
  printf '%s\t%s\t%d\n' "$name" "$result" $((SECONDS - start)) | tee -a "$summary"
  tail -n 25 "$results/$name.log"
}

env_report() {
  nvidia-smi
  # Python keeps the machine's own libraries (the bundle's are for the programs).
  env -u LD_LIBRARY_PATH "$python" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda,
      "device", torch.cuda.get_device_name(0))'
  cat "$bundle/MANIFEST"
  ldd "$bin/greater_dist" | grep -E 'torch|c10|cuda|nccl|mpi|hdf5|not found'
}
export -f env_report
step env 60 env_report

step nccl 120 $mpirun -n 1 "$bin/dist_mpi_test" expect-nccl

model_tests() {
  export GREATER_TEST_DEVICE=cuda
  "$bin/test_model_runtime" --gtest_brief=1 || return 1
  [ ! -x "$bin/test_hf_parity" ] || "$bin/test_hf_parity" --gtest_brief=1
}
export -f model_tests
step model_cuda 300 model_tests

demo() {
  $mpirun -n 1 "$bin/greater_dist" --job jobs/demo/arithmetic.toml --device cuda \
    --dtype float32 --run_file "$results/demo-arithmetic.h5" --overwrite &&
    "$bin/greater_inspect" "$results/demo-arithmetic.h5"
}
export -f demo
step demo 300 demo

bench() {  # bench CONFIG EXAMPLES CHAIN
  "$bin/greater_bench" --config "$1" --device cuda --dtype bfloat16 \
    --examples "$2" --candidates 3 --chain "$3" --iterations 3
}
export -f bench
step bench_1b 150 bench configs/models/llama3_2_1b_shape.json 50 512
step bench_8b 330 bench configs/models/llama3_8b_shape.json 50 512

echo "gpu_check: $failures failed step(s); results in $results"
cat "$summary"
exit "$failures"
