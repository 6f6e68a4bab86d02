// The demo model's word-level vocabulary: special tokens, every task word and every grammar
// word, in a fixed order (so ids never change between runs).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "greater/demo/task_family.h"

namespace greater::demo {

class Vocabulary {
 public:
  static constexpr int64_t kPad = 0, kUnk = 1, kBos = 2, kEos = 3;

  // Specials, then the words of all task families, then the grammar's words.
  static const Vocabulary& demo();

  explicit Vocabulary(const Words& words);  // words[i] gets id i; duplicates are an error

  int64_t size() const { return static_cast<int64_t>(words_.size()); }
  const Words& words() const { return words_; }
  const std::string& word(int64_t id) const;
  // Throws greater::Error for a word outside the vocabulary.
  int64_t id(const std::string& word) const;
  bool contains(const std::string& word) const { return ids_.count(word) > 0; }
  std::vector<int64_t> ids(const Words& words) const;

 private:
  Words words_;
  std::unordered_map<std::string, int64_t> ids_;
};

}  // namespace greater::demo
