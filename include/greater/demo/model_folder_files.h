// The non-weight files of the demo model folder: the WordLevel tokenizer.json and the JSON
// Lines task files of held-out questions.
#pragma once

#include <string>
#include <vector>

#include "greater/demo/task_family.h"
#include "greater/demo/vocabulary.h"

namespace greater::demo {

// A Hugging Face tokenizer.json for the vocabulary: WordLevel model (unk "<unk>"),
// WhitespaceSplit pre-tokenizer, a TemplateProcessing post-processor that puts "<bos>" first,
// the four special tokens as added tokens, and no decoder (tokens are joined with spaces).
std::string wordlevel_tokenizer_json(const Vocabulary& vocab);

// One {"input": question, "target": answer} line per problem.
std::string task_jsonl(const std::vector<Problem>& problems);

// Writes <folder>/<family>.jsonl for each family: `count` held-out questions from `seed`.
// Returns the paths written.
std::vector<std::string> write_task_files(const std::string& folder,
                                          const std::vector<TaskFamily>& families, int count,
                                          uint64_t seed);

// mkdir -p; throws greater::Error naming the folder.
void make_folders(const std::string& path);

}  // namespace greater::demo
