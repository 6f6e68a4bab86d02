// Added tokens ("added_tokens" in tokenizer.json): matched in the text before the model runs,
// as HF's AddedVocabulary does it. Tokens with normalized=false are found in the raw text;
// the stretches between them are normalized, and tokens with normalized=true are then found in
// the normalized text. Matching is leftmost-longest; lstrip/rstrip take the adjacent whitespace
// into the token; single_word rejects a match glued to a word character.
#pragma once

#include <string>
#include <vector>

#include "greater/tokenizer/tokenizer.h"
#include "normalizers.h"
#include "pre_tokenizers.h"

namespace greater::tok {

struct AddedToken {
  TokenId id = -1;
  std::string content;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = true;
  bool special = false;
};

// One stretch of the input after added-token matching: an added token (id >= 0) or normalized
// text for the pre-tokenizer and model.
struct Segment {
  TokenId id = -1;
  Piece text;
};

class AddedVocabulary {
 public:
  // `normalizer` (may be null) gives the pattern of tokens with normalized=true.
  void build(std::vector<AddedToken> tokens, const Normalizer* normalizer);

  const std::vector<AddedToken>& tokens() const { return tokens_; }

  // Splits `text` (valid UTF-8) into segments; text segments come out normalized.
  std::vector<Segment> split(const std::string& text, const Normalizer* normalizer) const;

 private:
  // Byte trie over token patterns, for leftmost-longest matching.
  class Trie {
   public:
    void add(const std::string& pattern, int token_index);
    bool empty() const { return nodes_.size() <= 1; }
    // Longest pattern that starts at text[pos]: (token index, length), or (-1, 0).
    std::pair<int, size_t> longest_at(const std::string& text, size_t pos) const;
    bool may_start(unsigned char b) const { return first_byte_[b]; }

   private:
    struct Node {
      std::vector<std::pair<unsigned char, int>> children;
      int token = -1;
    };
    std::vector<Node> nodes_{Node{}};
    bool first_byte_[256] = {};
  };

  // Appends the segments of `text` under one trie; `at_start` is true when text begins the input.
  void split_with(const Trie& trie, const std::string& text, bool at_start,
                  std::vector<Segment>& out) const;

  std::vector<AddedToken> tokens_;
  Trie raw_;         // normalized=false
  Trie normalized_;  // normalized=true, patterns normalized
};

}  // namespace greater::tok
