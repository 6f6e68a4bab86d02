#include "greater/demo/model_folder_files.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "greater/common/error.h"
#include "greater/common/file_util.h"
#include "greater/demo/training_data.h"

namespace greater::demo {

using ordered_json = nlohmann::ordered_json;

std::string wordlevel_tokenizer_json(const Vocabulary& vocab) {
  const std::string& bos = vocab.word(Vocabulary::kBos);
  ordered_json added = ordered_json::array();
  for (int64_t id : {Vocabulary::kPad, Vocabulary::kUnk, Vocabulary::kBos, Vocabulary::kEos}) {
    added.push_back({{"id", id},
                     {"content", vocab.word(id)},
                     {"single_word", false},
                     {"lstrip", false},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", true}});
  }
  ordered_json words = ordered_json::object();
  for (int64_t id = 0; id < vocab.size(); ++id) words[vocab.word(id)] = id;

  const ordered_json bos_piece = {{"SpecialToken", {{"id", bos}, {"type_id", 0}}}};
  ordered_json post = {
      {"type", "TemplateProcessing"},
      {"single", {bos_piece, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
      {"pair",
       {bos_piece,
        {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
        {{"Sequence", {{"id", "B"}, {"type_id", 1}}}}}},
      {"special_tokens", {{bos, {{"id", bos}, {"ids", {Vocabulary::kBos}}, {"tokens", {bos}}}}}}};

  const ordered_json tokenizer = {
      {"version", "1.0"},
      {"truncation", nullptr},
      {"padding", nullptr},
      {"added_tokens", added},
      {"normalizer", nullptr},
      {"pre_tokenizer", {{"type", "WhitespaceSplit"}}},
      {"post_processor", post},
      {"decoder", nullptr},
      {"model", {{"type", "WordLevel"}, {"vocab", words}, {"unk_token", "<unk>"}}}};
  return tokenizer.dump(2) + "\n";
}

std::string task_jsonl(const std::vector<Problem>& problems) {
  std::string out;
  for (const Problem& p : problems) {
    ordered_json row = {{"input", join_words(p.question)}, {"target", p.answer}};
    out += row.dump() + "\n";
  }
  return out;
}

std::vector<std::string> write_task_files(const std::string& folder,
                                          const std::vector<TaskFamily>& families, int count,
                                          uint64_t seed) {
  make_folders(folder);
  std::vector<std::string> paths;
  for (TaskFamily f : families) {
    const std::string path = join_path(folder, family_info(f).name + ".jsonl");
    write_file_atomic(path, task_jsonl(held_out_problems(f, count, seed)));
    paths.push_back(path);
  }
  return paths;
}

void make_folders(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i < path.size() && path[i] != '/') continue;
    const std::string prefix = path.substr(0, i);
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST)
      throw Error(prefix, std::string("cannot create the folder: ") + std::strerror(errno));
  }
}

}  // namespace greater::demo
