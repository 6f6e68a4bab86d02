#!/usr/bin/env bash
# Makes the reference environment: a virtual environment with Hugging Face's own libraries, for
# making test fixtures and for side-by-side checks against transformers, the Rust tokenizers
# library and the LibTorch inside PyPI's torch wheel. Not needed by scripts/test.sh: PyPI's torch
# is a CUDA build of several GB.
#
#   scripts/reference_env.sh              creates or updates .venv-reference/ (git-ignored)
#   REFERENCE_ENV=/path scripts/reference_env.sh
#   .venv-reference/bin/python tests/...  then use its python
#
# Idempotent: when the environment already holds exactly the pinned versions, nothing is
# fetched. The pins match the GPU machines' image (torch 2.11.0 with CUDA 13.0), so that a
# build against this torch runs there too. Needs PyPI (or a pip mirror) on the first run.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
env_dir="${REFERENCE_ENV:-$root/.venv-reference}"
python="${PYTHON:-python3}"

pins=(
  torch==2.11.0
  transformers==5.17.0
  tokenizers==0.23.2
  safetensors==0.8.0
  gguf==0.19.0
  numpy==2.4.6
)

say() { echo "reference_env: $*"; }

pins_installed() {
  [ -x "$env_dir/bin/python" ] || return 1
  local frozen pin
  frozen="$("$env_dir/bin/python" -m pip freeze 2>/dev/null)" || return 1
  for pin in "${pins[@]}"; do
    # torch may carry a local version (2.11.0+cu130); the pin is on the public part.
    grep -qiE "^${pin%%==*}==${pin#*==}(\+[a-z0-9.]+)?$" <<<"$frozen" || return 1
  done
}

if pins_installed; then
  say "$env_dir already holds ${pins[*]}"
  exit 0
fi

if [ ! -x "$env_dir/bin/python" ]; then
  say "creating $env_dir with $("$python" --version 2>&1)"
  "$python" -m venv "$env_dir"
fi
say "installing ${pins[*]}"
"$env_dir/bin/python" -m pip install --quiet --disable-pip-version-check "${pins[@]}"
pins_installed || { echo "reference_env: the pinned versions did not install" >&2; exit 1; }
"$env_dir/bin/python" - <<'EOF'
import torch, transformers, tokenizers, gguf, safetensors, numpy
print("reference_env: ready: torch", torch.__version__, "| transformers", transformers.__version__,
      "| tokenizers", tokenizers.__version__, "| cmake prefix", torch.utils.cmake_prefix_path)
EOF
