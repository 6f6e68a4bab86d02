# Sourced by the scripts that run gpu-bundle/ on a GPU machine (gpu_check.sh, gpu_bbh.sh): sets
# bundle, bin, python and mpirun, and the library and Open MPI paths the bundle's programs need.
# The programs load the machine's own LibTorch, CUDA runtime and NCCL (from its PyTorch install)
# and the bundle's Debian libraries and relocated Open MPI (scripts/gpu_bundle.sh).
#   GPU_BUNDLE=DIR   the bundle (default gpu-bundle)     PYTHON=EXE   the machine's torch Python
bundle=${GPU_BUNDLE:-gpu-bundle}
bundle=$(cd "$bundle" && pwd) || { echo "no bundle $bundle (run scripts/gpu_bundle.sh)" >&2; exit 1; }
bin=$bundle/bin

# LibTorch and the CUDA libraries of the machine's PyTorch (pip layout: torch/lib, nvidia/*/lib).
python=${PYTHON:-python3}
torch_libs=$("$python" - <<'PY'
import glob, os, torch
site = os.path.dirname(os.path.dirname(torch.__file__))
dirs = [os.path.join(os.path.dirname(torch.__file__), "lib")]
dirs += sorted(d for d in glob.glob(os.path.join(site, "nvidia", "**", "lib"), recursive=True))
print(":".join(dirs))
PY
) || { echo "$python cannot import torch" >&2; exit 1; }
export LD_LIBRARY_PATH=$bundle/lib:$torch_libs:${LD_LIBRARY_PATH:-}
# Open MPI from the bundle, relocated; shared memory and TCP only.
export OPAL_PREFIX=$bundle/ompi OPAL_SYSCONFDIR=$bundle/ompi/etc
export OPAL_LIBDIR=$bundle/ompi/lib/x86_64-linux-gnu/openmpi/lib
export PMIX_MCA_mca_base_component_path=$bundle/ompi/pmix/plugins
export OMPI_MCA_mca_base_component_show_load_errors=0 OMPI_MCA_btl=self,vader,tcp OMPI_MCA_pml=ob1
export PMIX_MCA_pcompress_base_silence_warning=1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun="$bundle/ompi/bin/mpirun --oversubscribe --bind-to none"
export bundle bin python mpirun
