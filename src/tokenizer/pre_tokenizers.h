// tokenizer.json "pre_tokenizer": splits normalized text into the words the model sees
// (Llama-3: Split by the regex, then ByteLevel maps bytes to the GPT-2 alphabet).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "json_pattern.h"

namespace greater::tok {

// One stretch of text on its way to the model. `at_start` marks the stretch that begins at
// offset 0 of the encoded input (Metaspace's prepend_scheme "first" looks at it).
struct Piece {
  std::string text;
  bool at_start = false;
};

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  // Replaces each piece by its sub-pieces, in order; empty pieces are dropped.
  virtual void pre_tokenize(std::vector<Piece>& pieces) const = 0;
};

// Null when the field is null. Throws greater::Error for unknown or unsupported types.
std::unique_ptr<PreTokenizer> make_pre_tokenizer(const Json& spec, const JsonPath& at);

}  // namespace greater::tok
