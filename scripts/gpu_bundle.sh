#!/usr/bin/env bash
# Packs a CUDA build into gpu-bundle/ (git-ignored) so that scripts/gpu_check.sh can run it on a
# GPU machine that has CUDA, NCCL and PyTorch (whose LibTorch the programs load) but none of the
# Debian libraries the project builds against, and no network:
#
#   gpu-bundle/bin/    the programs and test binaries gpu_check.sh runs, stripped
#   gpu-bundle/lib/    the shared libraries they need beyond glibc, libstdc++, LibTorch and CUDA
#                      (HDF5, PCRE2, Open MPI and their own dependencies), found with ldd
#   gpu-bundle/ompi/   Open MPI's launcher, daemon, plugins and help texts, in the layout of its
#                      install prefix, relocated at run time with OPAL_PREFIX
#   gpu-bundle/MANIFEST  what was packed, from which build, with sizes
#
#   scripts/gpu_bundle.sh [BUILD_DIR]     (default build-cuda, made by scripts/build_libtorch2.sh cuda)
#
# The bundle is what travels to the GPU machine beside the working tree (the device tool's
# `carry`), so it is kept small: plugins that need InfiniBand, UCX or libfabric are left out
# (one machine needs only shared memory and TCP).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-cuda}
out=gpu-bundle
[ -d "$build" ] || { echo "gpu_bundle: no build folder $build" >&2; exit 1; }

programs=(src/app/greater_dist src/app/greater_inspect src/app/greater_generate src/app/greater_bench
  src/app/greater_make_model tests/dist/dist_mpi_test tests/test_model_runtime tests/model/test_hf_parity)
rm -rf "$out"
mkdir -p "$out/bin" "$out/lib"
found=()
for p in "${programs[@]}"; do
  f=$(find "$build" -path "*/$p" -type f -perm -u+x 2>/dev/null | head -n 1)
  if [ -z "$f" ]; then f=$(find "$build" -name "$(basename "$p")" -type f -perm -u+x | head -n 1); fi
  if [ -z "$f" ]; then echo "gpu_bundle: $p not built in $build (skipped)" >&2; continue; fi
  cp "$f" "$out/bin/"
  strip --strip-unneeded "$out/bin/$(basename "$f")"
  found+=("$out/bin/$(basename "$f")")
done

# Libraries the GPU machine provides itself: glibc (whose parts must come from one build), the
# compiler runtime, LibTorch and CUDA.
provided='^(linux-vdso|ld-linux|libc\.|libm\.|libdl\.|libpthread\.|librt\.|libresolv\.|libutil\.|libnsl\.|libanl\.|libstdc\+\+|libgcc_s|libgomp|libtorch|libc10|libcuda|libcudart|libnccl|libcublas|libcufft|libcurand|libcusolver|libcusparse|libcudnn|libnvrtc|libnvJitLink|libnvToolsExt|libcupti|libcufile|libnvshmem|libshm\.)'
copy_deps() {  # copy_deps FILE...: every needed library not provided there, recursively (ldd)
  ldd "$@" 2>/dev/null | awk '/=> \//{print $1, $3}' | sort -u | while read -r name path; do
    [[ $name =~ $provided ]] && continue
    [ -e "$out/lib/$name" ] || cp -L "$path" "$out/lib/$name"
  done
}
copy_deps "${found[@]}"

# Open MPI, relocatable: Debian's layout under the prefix /usr.
lib=/usr/lib/x86_64-linux-gnu
plugins=$lib/openmpi/lib/openmpi3
mkdir -p "$out/ompi/bin" "$out/ompi/lib/x86_64-linux-gnu/openmpi/lib/openmpi3" "$out/ompi/share" \
  "$out/ompi/etc" "$out/ompi/pmix"
cp -L /usr/bin/orterun "$out/ompi/bin/mpirun"
cp -L /usr/bin/orted "$out/ompi/bin/"
cp -rL /usr/share/openmpi "$out/ompi/share/"
cp -L /etc/openmpi/openmpi-mca-params.conf "$out/ompi/etc/" 2>/dev/null || true
for f in "$plugins"/*.so; do
  ldd "$f" | grep -qE 'libuc[pmst]|libfabric|libpsm|libibverbs|librdmacm|libinfinipath|libefa|libjvm' &&
    continue
  cp -L "$f" "$out/ompi/lib/x86_64-linux-gnu/openmpi/lib/openmpi3/"
done
cp -rL "$lib/pmix2/lib/pmix" "$out/ompi/pmix/plugins"
copy_deps "$out/ompi/bin/"* "$out/ompi/lib/x86_64-linux-gnu/openmpi/lib/openmpi3/"*.so \
  "$out/ompi/pmix/plugins/"*.so

{
  echo "# gpu-bundle from $(cd "$build" && pwd), $(date -u '+%F %T') UTC"
  grep -E '^(CMAKE_PREFIX_PATH|Torch_DIR|CMAKE_CUDA_COMPILER|NCCL_LIBRARY)' "$build/CMakeCache.txt" || true
  (cd "$out" && find . -type f -printf '%s %p\n' | sort -k2)
} >"$out/MANIFEST"
echo "gpu_bundle: $(du -sh "$out" | cut -f1) in $out: ${#found[@]} programs, $(ls "$out/lib" | wc -l) libraries"
