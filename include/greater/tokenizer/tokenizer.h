// A Hugging Face tokenizer.json, read and applied in C++.
//
// Supported models: byte-level BPE with a split regex (Llama-3), SentencePiece-style BPE with
// byte fallback (Llama-2 / Mistral / Gemma layout), WordLevel (the project's demo model).
// Added and special tokens are matched before the model runs; the post_processor of the file
// decides whether BOS/EOS are added (never hard-coded).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "greater/common/token_id.h"

namespace greater {

class Tokenizer {
 public:
  // Reads and validates a tokenizer.json; throws greater::Error naming the file and the field.
  static Tokenizer from_file(const std::string& path);
  // Same from JSON text; `source` names it in errors.
  static Tokenizer from_json(const std::string& json_text, const std::string& source);

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  // Text -> ids. With add_special_tokens the post_processor's BOS/EOS are added.
  TokenIds encode(const std::string& text, bool add_special_tokens = false) const;
  // Ids -> text as the file's decoder says. Special tokens are kept unless skip_special.
  std::string decode(const TokenIds& ids, bool skip_special = false) const;

  // True when decode({id}) encodes back to exactly {id}: prompt tokens must survive this so
  // re-tokenization never moves the optimized position.
  bool round_trips(TokenId id) const;

  int64_t vocab_size() const;  // one past the largest id, added tokens included
  // Id of a vocabulary or added token written exactly as in the file ("<|eot_id|>", "Ġthe");
  // -1 when absent.
  TokenId token_to_id(const std::string& token) const;
  // The token's string as stored in the file; empty for an unused id.
  std::string id_to_token(TokenId id) const;
  bool is_special(TokenId id) const;

  // What the post_processor adds with add_special_tokens (empty when it adds nothing).
  const TokenIds& prefix_special_ids() const;
  const TokenIds& suffix_special_ids() const;

 private:
  struct Impl;
  explicit Tokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace greater
