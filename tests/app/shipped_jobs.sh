#!/usr/bin/env bash
# The shipped BBH, GSM8K and FOLIO jobs run from the repository root with only --model added
# (their data_dir = "data" is the repository's own copy): a tiny random Llama with the real
# Llama-3 vocabulary stands in for the model, and a short evaluation of the initial prompt on
# each job's own splits shows that the task files, the extractor and the chat layout all load.
# Everything else on the command line only keeps the test short and its files in $WORK.
source "$(dirname "$0")/common.sh" "$1"
tokenizer=tests/data/tokenizers/llama3/tokenizer.json
[ -f "$tokenizer" ] || fail "$tokenizer is missing: run scripts/setup_test_data.sh"

cat > "$WORK/config.json" <<'JSON'
{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 128256,
 "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2,
 "num_key_value_heads": 1, "max_position_embeddings": 8192, "rms_norm_eps": 1e-5,
 "rope_theta": 500000.0, "tie_word_embeddings": true, "hidden_act": "silu",
 "bos_token_id": 128000, "eos_token_id": 128009, "torch_dtype": "float32"}
JSON
"$BUILD_DIR/src/app/greater_make_model" --config "$WORK/config.json" --out "$WORK/model" > /dev/null
cp "$tokenizer" "$WORK/model/tokenizer.json"

for job in jobs/bbh/llama3/navigate.toml jobs/gsm8k/llama3.toml jobs/folio/llama3.toml; do
  grep -q '^data_dir = "data"$' "$job" || fail "$job does not read the shipped data/"
  run_file="$WORK/$(basename "$(dirname "$job")")-$(basename "$job" .toml).h5"
  "${MPIRUN[@]}" -n 1 "$DIST" --job "$job" --model "$WORK/model" \
    --iterations 0 --dev_size 2 --test_size 2 --max_new_tokens 2 --threads 1 \
    --run_file "$run_file" > "$WORK/run.log" 2>&1 || { cat "$WORK/run.log"; fail "$job did not run"; }
  "$INSPECT" "$run_file" | grep -q "finished" || { "$INSPECT" "$run_file"; fail "$job: run not finished"; }
  echo "$job: ran from the repository root with data_dir = data"
done
