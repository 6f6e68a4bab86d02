// GGUF tokenizer metadata -> the tokenizer.json it stands for, read by the project's one
// tokenizer implementation (docs/GGUF.md).
#include <nlohmann/json.hpp>

#include "greater/common/error.h"
#include "greater/common/file_util.h"
#include "greater/model/model_tokenizer.h"

namespace greater {

namespace {

using json = nlohmann::json;

// GPT-2's split regex (llama.cpp and tokenizers' ByteLevel use the same one).
const char* const kGpt2Regex =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
const char* const kLlama3Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

json split(const std::string& regex) {
  return {{"type", "Split"},
          {"pattern", {{"Regex", regex}}},
          {"behavior", "Isolated"},
          {"invert", false}};
}

// llama.cpp's list of split regexes for a tokenizer.ggml.pre name, applied in order, followed
// by the byte-to-alphabet mapping of byte-level BPE.
json pre_tokenizer_for(const std::string& pre, const std::string& where) {
  json steps = json::array();
  if (pre == "smollm" || pre == "starcoder" || pre == "refact" || pre == "command-r" ||
      pre == "codeshell" || pre == "exaone" || pre == "minerva") {
    steps.push_back(split(R"(\p{N})"));  // every digit on its own
    steps.push_back(split(kGpt2Regex));
  } else if (pre == "gpt-2" || pre == "gpt2") {
    steps.push_back(split(kGpt2Regex));
  } else if (pre == "llama3" || pre == "llama-bpe" || pre == "llama-v3") {
    steps.push_back(split(kLlama3Regex));
  } else {
    throw Error(where, "unsupported pre-tokenizer \"" + pre +
                           "\" (supported: smollm and its starcoder family, gpt-2, llama-bpe)");
  }
  steps.push_back({{"type", "ByteLevel"},
                   {"add_prefix_space", false},
                   {"trim_offsets", true},
                   {"use_regex", false}});
  return {{"type", "Sequence"}, {"pretokenizers", steps}};
}

}  // namespace

std::string gguf_tokenizer_json(const GgufFile& f) {
  const std::string model = f.get_string("tokenizer.ggml.model");
  if (model != "gpt2")
    throw Error(f.path() + ": key tokenizer.ggml.model",
                "unsupported tokenizer model \"" + model + "\" (supported: gpt2, byte-level BPE)");
  const std::vector<std::string> tokens = f.get_string_array("tokenizer.ggml.tokens");
  const std::vector<std::string> merges = f.get_string_array("tokenizer.ggml.merges");
  std::vector<int64_t> types(tokens.size(), 1);
  if (f.has("tokenizer.ggml.token_type")) types = f.get_int_array("tokenizer.ggml.token_type");
  if (types.size() != tokens.size())
    throw Error(f.path() + ": key tokenizer.ggml.token_type",
                "has " + std::to_string(types.size()) + " entries for " +
                    std::to_string(tokens.size()) + " tokens");
  const std::string pre =
      f.has("tokenizer.ggml.pre") ? f.get_string("tokenizer.ggml.pre") : "gpt-2";

  json vocab = json::object();
  json added = json::array();
  for (size_t id = 0; id < tokens.size(); ++id) {
    vocab[tokens[id]] = id;
    // 3 = control (special), 4 = user-defined: both are matched before the model runs.
    if (types[id] == 3 || types[id] == 4)
      added.push_back({{"id", id},
                       {"content", tokens[id]},
                       {"single_word", false},
                       {"lstrip", false},
                       {"rstrip", false},
                       {"normalized", false},
                       {"special", types[id] == 3}});
  }
  json merge_list = json::array();
  for (size_t i = 0; i < merges.size(); ++i) {
    const size_t space = merges[i].find(' ', 1);
    if (space == std::string::npos)
      throw Error(f.path() + ": key tokenizer.ggml.merges[" + std::to_string(i) + "]",
                  "expected \"left right\", got \"" + merges[i] + "\"");
    merge_list.push_back({merges[i].substr(0, space), merges[i].substr(space + 1)});
  }

  json post = {{"type", "ByteLevel"},
               {"add_prefix_space", false},
               {"trim_offsets", false},
               {"use_regex", false}};
  if (f.get_bool("tokenizer.ggml.add_bos_token", false)) {
    const int64_t bos = f.get_int("tokenizer.ggml.bos_token_id");
    if (bos < 0 || static_cast<size_t>(bos) >= tokens.size())
      throw Error(f.path() + ": key tokenizer.ggml.bos_token_id", "is not a token id");
    const std::string name = tokens[bos];
    post = {{"type", "TemplateProcessing"},
            {"single", json::array({{{"SpecialToken", {{"id", name}, {"type_id", 0}}}},
                                    {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}})},
            {"pair", json::array({{{"SpecialToken", {{"id", name}, {"type_id", 0}}}},
                                  {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                                  {{"Sequence", {{"id", "B"}, {"type_id", 1}}}}})},
            {"special_tokens", {{name, {{"id", name}, {"ids", {bos}}, {"tokens", {name}}}}}}};
  }

  json root = {{"version", "1.0"},
               {"added_tokens", added},
               {"normalizer", nullptr},
               {"pre_tokenizer", pre_tokenizer_for(pre, f.path() + ": key tokenizer.ggml.pre")},
               {"post_processor", post},
               {"decoder",
                {{"type", "ByteLevel"},
                 {"add_prefix_space", false},
                 {"trim_offsets", true},
                 {"use_regex", false}}},
               {"model",
                {{"type", "BPE"},
                 {"dropout", nullptr},
                 {"unk_token", nullptr},
                 {"continuing_subword_prefix", nullptr},
                 {"end_of_word_suffix", nullptr},
                 {"fuse_unk", false},
                 {"byte_fallback", false},
                 {"ignore_merges", false},
                 {"vocab", vocab},
                 {"merges", merge_list}}}};
  return root.dump();
}

Tokenizer load_tokenizer(const std::string& path) {
  const bool is_json = path.size() > 5 && path.compare(path.size() - 5, 5, ".json") == 0;
  if (is_json) return Tokenizer::from_file(path);
  const std::string in_folder = join_path(path, "tokenizer.json");
  const bool is_gguf = path.size() > 5 && path.compare(path.size() - 5, 5, ".gguf") == 0;
  if (!is_gguf && file_exists(in_folder)) return Tokenizer::from_file(in_folder);
  const std::string gguf = find_gguf(path);
  if (gguf.empty()) throw Error(path, "holds neither tokenizer.json nor a .gguf file");
  auto f = GgufFile::open(gguf);
  return Tokenizer::from_json(gguf_tokenizer_json(*f), gguf);
}

}  // namespace greater
