// tokenizer.json "model": turns one pre-tokenized word into ids.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "greater/tokenizer/tokenizer.h"
#include "json_pattern.h"
#include "vocab.h"

namespace greater::tok {

class Model {
 public:
  virtual ~Model() = default;
  // Appends the ids of `word` (one pre-token) to `out`.
  virtual void tokenize(const std::string& word, TokenIds& out) const = 0;
  virtual const Vocab& vocab() const = 0;
};

// BPE (byte-level as in Llama-3, or SentencePiece-style with byte fallback as in Llama-2/Gemma).
std::unique_ptr<Model> make_bpe_model(const Json& spec, const JsonPath& at);
// WordLevel: whole words looked up in the vocabulary, unknown words -> unk_token.
std::unique_ptr<Model> make_word_level_model(const Json& spec, const JsonPath& at);

// "vocab": {"token": id, ...}, shared by both models.
Vocab read_vocab(const Json& spec, const JsonPath& at);

}  // namespace greater::tok
