#include "test_support.h"

#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "greater/common/file_util.h"

namespace greater::test {

std::string tokenizer_path(const std::string& name) {
  return std::string(GREATER_SOURCE_DIR) + "/tests/data/tokenizers/" + name + "/tokenizer.json";
}

std::string llama3_tokenizer_path() { return tokenizer_path("llama3"); }

std::string llama2_tokenizer_path() { return tokenizer_path("llama2"); }

std::string fixture_path(const std::string& name) {
  return std::string(GREATER_SOURCE_DIR) + "/tests/fixtures/tokenizer/" + name;
}

std::string missing_data_message(const std::string& path) {
  if (file_exists(path)) return "";
  return path +
         " is missing: run scripts/setup_test_data.sh (it copies the real tokenizer files from "
         "../shared/tokenizers) before ctest";
}

namespace {

std::vector<nlohmann::json> read_jsonl(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<nlohmann::json> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  }
  return rows;
}

}  // namespace

std::vector<ReferenceCase> read_reference_cases(const std::string& path) {
  std::vector<ReferenceCase> cases;
  for (const auto& row : read_jsonl(path)) {
    cases.push_back({row.at("text").get<std::string>(), row.at("ids").get<std::vector<TokenId>>(),
                     row.at("ids_special").get<std::vector<TokenId>>()});
  }
  return cases;
}

std::vector<TokenSample> read_token_samples(const std::string& path) {
  std::vector<TokenSample> samples;
  for (const auto& row : read_jsonl(path)) {
    samples.push_back({row.at("id").get<TokenId>(), row.at("text").get<std::string>(),
                       row.at("round_trips").get<bool>()});
  }
  return samples;
}

const Tokenizer* shared_tokenizer(const std::string& path, std::string* error) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<Tokenizer>> loaded;
  static std::map<std::string, std::string> errors;
  std::lock_guard<std::mutex> lock(mutex);
  if (auto it = loaded.find(path); it != loaded.end()) return it->second.get();
  if (auto it = errors.find(path); it != errors.end()) {
    *error = it->second;
    return nullptr;
  }
  std::string message = missing_data_message(path);
  if (message.empty()) {
    try {
      loaded[path] = std::make_unique<Tokenizer>(Tokenizer::from_file(path));
      return loaded[path].get();
    } catch (const std::exception& e) {
      message = e.what();
    }
  }
  errors[path] = message;
  *error = message;
  return nullptr;
}

std::string write_temp_file(const std::string& name, const std::string& text) {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string dir = ::testing::TempDir();
  const std::string path =
      join_path(dir, std::string("greater_") + (info ? info->name() : "test") + "_" + name);
  write_file_atomic(path, text);
  return path;
}

std::string word_level_json() {
  return R"({
  "version": "1.0",
  "added_tokens": [
    {"id": 0, "content": "<unk>", "special": true, "normalized": false, "lstrip": false, "rstrip": false, "single_word": false},
    {"id": 1, "content": "<bos>", "special": true, "normalized": false, "lstrip": false, "rstrip": false, "single_word": false},
    {"id": 2, "content": "<eos>", "special": true, "normalized": false, "lstrip": false, "rstrip": false, "single_word": false},
    {"id": 3, "content": "<start_of_turn>", "special": true, "normalized": false, "lstrip": false, "rstrip": false, "single_word": false},
    {"id": 4, "content": "<end_of_turn>", "special": true, "normalized": false, "lstrip": false, "rstrip": false, "single_word": false}
  ],
  "normalizer": null,
  "pre_tokenizer": {"type": "WhitespaceSplit"},
  "post_processor": {
    "type": "TemplateProcessing",
    "single": [{"SpecialToken": {"id": "<bos>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
    "pair": [{"SpecialToken": {"id": "<bos>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
             {"Sequence": {"id": "B", "type_id": 1}}],
    "special_tokens": {"<bos>": {"id": "<bos>", "ids": [1], "tokens": ["<bos>"]}}
  },
  "decoder": null,
  "model": {
    "type": "WordLevel",
    "unk_token": "<unk>",
    "vocab": {"<unk>": 0, "<bos>": 1, "<eos>": 2, "<start_of_turn>": 3, "<end_of_turn>": 4,
              "user": 5, "model": 6, "Q": 7, ":": 8, "start": 9, "9": 10, ",": 11, "step1": 12,
              "+": 13, "4": 14, ".": 15, "think": 16, "step": 17, "by": 18, "A": 19, "answer": 20,
              "3": 21, "=": 22, ";": 23, "let's": 24, "carefully": 25, "13": 26}
  }
})";
}

std::string quoted(const std::string& s) { return nlohmann::json(s).dump(); }

}  // namespace greater::test
