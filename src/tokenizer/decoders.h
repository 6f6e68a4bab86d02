// tokenizer.json "decoder": token strings -> text (Llama-3: ByteLevel; Llama-2/Gemma:
// Replace "▁"→" ", ByteFallback, Fuse, Strip).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "json_pattern.h"

namespace greater::tok {

class Decoder {
 public:
  virtual ~Decoder() = default;
  // Rewrites the list of token strings; the text is their concatenation afterwards.
  virtual void decode_chain(std::vector<std::string>& tokens) const = 0;
};

// Null when the field is null (tokens are then joined with single spaces, as HF does).
std::unique_ptr<Decoder> make_decoder(const Json& spec, const JsonPath& at);

}  // namespace greater::tok
