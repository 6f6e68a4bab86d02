// Test data locations and small helpers shared by the tokenizer tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "greater/tokenizer/tokenizer.h"

namespace greater::test {

// Real tokenizer files under tests/data/tokenizers (git-ignored); scripts/setup_test_data.sh puts
// them there from ../shared/tokenizers.
std::string llama3_tokenizer_path();
std::string llama2_tokenizer_path();  // the Llama-2 layout rebuilt from llama-tokenizer-js
// tests/data/tokenizers/<name>/tokenizer.json for name in llama3, llama2, qwen3, gemma3.
std::string tokenizer_path(const std::string& name);
// Committed reference data: tests/fixtures/tokenizer/<name>.
std::string fixture_path(const std::string& name);

// "<path> is missing: run scripts/setup_test_data.sh ..." when the file does not exist, else "".
std::string missing_data_message(const std::string& path);

// One line of *_reference.jsonl: ids with and without add_special_tokens.
struct ReferenceCase {
  std::string text;
  std::vector<TokenId> ids;
  std::vector<TokenId> ids_special;
};
std::vector<ReferenceCase> read_reference_cases(const std::string& path);

// One line of *_token_samples.jsonl: decode({id}) and whether it encodes back to {id}.
struct TokenSample {
  TokenId id;
  std::string text;
  bool round_trips;
};
std::vector<TokenSample> read_token_samples(const std::string& path);

// A tokenizer loaded once per test binary and shared; null with `error` set when it cannot be.
const Tokenizer* shared_tokenizer(const std::string& path, std::string* error);

// Writes `text` to a new file under the test's temporary directory and returns its path.
std::string write_temp_file(const std::string& name, const std::string& text);

// A small WordLevel tokenizer.json: WhitespaceSplit, <unk>, BOS added by TemplateProcessing,
// chat tokens of the Gemma-2 layout, no decoder (HF joins tokens with spaces).
std::string word_level_json();

// Printable form of a string for failure messages (JSON-escaped).
std::string quoted(const std::string& s);

}  // namespace greater::test
