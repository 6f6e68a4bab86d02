// tokenizer.json "normalizer": text rewrites applied to every stretch of input between added
// tokens, before pre-tokenization (Llama-2: Prepend "▁" + Replace " "→"▁"; Gemma: Replace; Qwen: NFC).
#pragma once

#include <memory>
#include <string>

#include "json_pattern.h"

namespace greater::tok {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void normalize(std::string& text) const = 0;
};

// Null when the field is null. Throws greater::Error for unknown or unsupported types.
std::unique_ptr<Normalizer> make_normalizer(const Json& spec, const JsonPath& at);

}  // namespace greater::tok
