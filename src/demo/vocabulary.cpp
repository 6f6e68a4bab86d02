#include "greater/demo/vocabulary.h"

#include <algorithm>

#include "greater/common/error.h"
#include "greater/demo/instruction_grammar.h"

namespace greater::demo {

const Vocabulary& Vocabulary::demo() {
  static const Vocabulary vocabulary = [] {
    Words words{"<pad>", "<unk>", "<bos>", "<eos>"};
    auto add = [&](const Words& more) {
      for (const auto& w : more)
        if (std::find(words.begin(), words.end(), w) == words.end()) words.push_back(w);
    };
    for (TaskFamily f : all_families()) add(family_words(f));
    add(grammar_words());
    // GReaTer's filler: appended when a sweep over the prompt ends without '.'.
    add({"_"});
    return Vocabulary(words);
  }();
  return vocabulary;
}

Vocabulary::Vocabulary(const Words& words) : words_(words) {
  for (size_t i = 0; i < words_.size(); ++i)
    if (!ids_.emplace(words_[i], static_cast<int64_t>(i)).second)
      throw Error("Vocabulary", "word '" + words_[i] + "' appears twice");
}

const std::string& Vocabulary::word(int64_t id) const {
  if (id < 0 || id >= size())
    throw Error("Vocabulary",
                "token id " + std::to_string(id) + " is outside 0.." + std::to_string(size() - 1));
  return words_[id];
}

int64_t Vocabulary::id(const std::string& word) const {
  const auto it = ids_.find(word);
  if (it == ids_.end()) throw Error("Vocabulary", "word '" + word + "' is not in the vocabulary");
  return it->second;
}

std::vector<int64_t> Vocabulary::ids(const Words& words) const {
  std::vector<int64_t> out;
  out.reserve(words.size());
  for (const auto& w : words) out.push_back(id(w));
  return out;
}

}  // namespace greater::demo
