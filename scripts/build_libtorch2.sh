#!/usr/bin/env bash
# Builds greater-dist against the LibTorch 2.x inside a PyPI torch wheel (instead of Debian's
# LibTorch 1.13), in its own build folder, and reports how long each phase took.
#
#   scripts/build_libtorch2.sh cpu    build-torch2/: CPU build, then the whole ctest suite on CPU
#   scripts/build_libtorch2.sh cuda   build-cuda/:   CUDA + NCCL build (compiles and links here;
#                                     running it needs a GPU machine); prints what it links
#
# Environment:
#   TORCH_PYTHON  interpreter whose torch to use (default: .venv-reference/bin/python of this
#                 checkout, else python3); scripts/reference_env.sh makes it
#   CUDA_HOME     CUDA toolkit for the cuda mode (default /usr/local/cuda)
#   EXTRA_RPATH   extra run-time library folders (colon-separated) written into the binaries'
#                 RPATH, e.g. the torch/lib, nvidia/nccl/lib and nvidia/cu13/lib folders of the
#                 GPU machine's torch install; otherwise set LD_LIBRARY_PATH there
#   JOBS          parallel compile jobs (default 2); BUILD_TYPE (default Release)
#   CTEST_ARGS    extra ctest arguments in cpu mode (e.g. "-L tokenizer")
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode="${1:-cpu}"
jobs="${JOBS:-2}"
build_type="${BUILD_TYPE:-Release}"

say() { echo "build_libtorch2: $*"; }
fail() { echo "build_libtorch2: $*" >&2; exit 1; }

case "$mode" in
  cpu) build="$root/build-torch2" ;;
  cuda) build="$root/build-cuda" ;;
  *) fail "unknown mode \"$mode\" (expected cpu or cuda)" ;;
esac

python="${TORCH_PYTHON:-}"
if [ -z "$python" ]; then
  python=python3
  [ -x "$root/.venv-reference/bin/python" ] && python="$root/.venv-reference/bin/python"
fi

# Everything the build needs to know about the wheel, in one call (no GPU needed: torch
# imports its CUDA libraries lazily).
info="$("$python" - <<'EOF'
import os, torch, torch.utils
nccl = ""
try:
    import nvidia.nccl
    nccl = list(nvidia.nccl.__path__)[0]
except ImportError:
    pass
print(torch.__version__)
print(torch.utils.cmake_prefix_path)
print(os.path.dirname(torch.__file__))
print(int(torch._C._GLIBCXX_USE_CXX11_ABI))
print(torch.version.cuda or "")
print(nccl)
EOF
)" || fail "$python cannot import torch (make the reference environment: scripts/reference_env.sh)"
mapfile -t fields <<<"$info"
torch_version="${fields[0]}"; cmake_prefix="${fields[1]}"; torch_root="${fields[2]}"
cxx11_abi="${fields[3]}"; wheel_cuda="${fields[4]}"; nccl_root="${fields[5]:-}"
say "torch $torch_version from $torch_root (CUDA ${wheel_cuda:-none}, C++11 ABI $cxx11_abi)"

# Debian's GoogleTest, CLI11, HDF5 and MPI C++ libraries use the C++11 string ABI; a wheel
# built with the old ABI would fail to link against them with undefined std::string symbols.
[ "$cxx11_abi" = 1 ] || fail "torch $torch_version was built with _GLIBCXX_USE_CXX11_ABI=0; " \
  "Debian's libraries use the C++11 ABI: install a cxx11-abi torch build"

cmake_args=(
  -S "$root" -B "$build"
  -DCMAKE_BUILD_TYPE="$build_type"
  # The torch root first: TorchConfig's find_library calls would otherwise pick Debian's
  # /usr/lib/x86_64-linux-gnu/libtorch.so (1.13) next to the wheel's 2.x headers.
  -DCMAKE_PREFIX_PATH="$torch_root;$cmake_prefix"
)
command -v ccache >/dev/null 2>&1 && cmake_args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
[ -n "${EXTRA_RPATH:-}" ] && cmake_args+=(-DCMAKE_BUILD_RPATH="${EXTRA_RPATH//:/;}")

if [ "$mode" = cpu ]; then
  cmake_args+=(-DGREATER_WITH_CUDA=OFF)
else
  cuda_home="${CUDA_HOME:-/usr/local/cuda}"
  [ -x "$cuda_home/bin/nvcc" ] || fail "$cuda_home/bin/nvcc not found (set CUDA_HOME)"
  # NCCL of the wheel (nvidia-nccl-cu13), the one torch itself loads at run time.
  [ -n "$nccl_root" ] && [ -f "$nccl_root/include/nccl.h" ] ||
    fail "the wheel's NCCL (python package nvidia-nccl) is not installed next to torch"
  nccl_lib="$(ls "$nccl_root"/lib/libnccl.so* | head -n 1)"
  cmake_args+=(
    -DGREATER_WITH_CUDA=ON
    -DCUDAToolkit_ROOT="$cuda_home"
    -DCMAKE_CUDA_COMPILER="$cuda_home/bin/nvcc"
    -DNCCL_INCLUDE_DIR="$nccl_root/include"
    -DNCCL_LIBRARY="$nccl_lib"
  )
fi

export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}"
t0=$SECONDS
mkdir -p "$build"
cmake "${cmake_args[@]}" >"$build/configure.log" 2>&1 || { tail -n 30 "$build/configure.log"; fail "configure failed"; }
t_configure=$((SECONDS - t0))
grep "greater-dist:" "$build/configure.log"

# The configuration must use the wheel, not Debian's LibTorch, with the ABI flag set.
grep -q "^TORCH_LIBRARY:FILEPATH=$torch_root/lib/libtorch.so" "$build/CMakeCache.txt" ||
  fail "CMake found another libtorch: $(grep '^TORCH_LIBRARY:' "$build/CMakeCache.txt")"
# torch 2.x's CMake config no longer passes the flag (the new ABI is the default), so the
# compiler's own default must be the wheel's, and no target may switch it off.
compiler_abi="$(printf '#include <string>\n' | c++ -x c++ -std=c++17 -dM -E - |
  sed -n 's/^#define _GLIBCXX_USE_CXX11_ABI //p')"
[ "$compiler_abi" = "$cxx11_abi" ] || fail "the compiler's C++11 ABI ($compiler_abi) is not torch's"
! grep -q -- "-D_GLIBCXX_USE_CXX11_ABI=0" "$build/compile_commands.json" ||
  fail "a target compiles with -D_GLIBCXX_USE_CXX11_ABI=0"
if [ "$mode" = cuda ]; then
  grep -q "NCCL ON" "$build/configure.log" || fail "NCCL was not enabled (see $build/configure.log)"
fi

t0=$SECONDS
cmake --build "$build" -j "$jobs"
t_build=$((SECONDS - t0))
say "configure ${t_configure}s, build ${t_build}s ($jobs jobs)"

if [ "$mode" = cpu ]; then
  "$root/scripts/setup_test_data.sh"
  t0=$SECONDS
  status=0
  # shellcheck disable=SC2086
  (cd "$build" && ctest --output-on-failure ${CTEST_ARGS:-}) || status=$?
  t_test=$((SECONDS - t0))
  say "ctest ${t_test}s (exit $status); configure ${t_configure}s, build ${t_build}s"
  echo "torch=$torch_version configure_s=$t_configure build_s=$t_build ctest_s=$t_test jobs=$jobs" \
    >"$build/timings.txt"
  exit "$status"
fi

# cuda: what the binaries need at run time (torch's libraries by soname, found through RPATH
# or LD_LIBRARY_PATH on the GPU machine).
# greater_dist: torch's CUDA library and NCCL; greater_generate: torch's CUDA library.
check_links() {
  local exe="$build/src/app/$1" needed lib
  shift
  needed="$(readelf -d "$exe" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
  say "$(basename "$exe") needs: $needed"
  for lib in "$@"; do
    case " $needed " in
      *" $lib "*) ;;
      *) fail "$(basename "$exe") does not link $lib" ;;
    esac
  done
}
check_links greater_dist libtorch_cuda.so libnccl.so.2 libcudart.so.13
check_links greater_generate libtorch_cuda.so
echo "torch=$torch_version cuda=$wheel_cuda configure_s=$t_configure build_s=$t_build jobs=$jobs" \
  >"$build/timings.txt"
say "CUDA build ready in $build (NCCL: $nccl_lib)"
