// The pieces of a loaded tokenizer.json, in the order encode() runs them.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "added_vocabulary.h"
#include "decoders.h"
#include "greater/tokenizer/tokenizer.h"
#include "models.h"
#include "normalizers.h"
#include "post_processor.h"
#include "pre_tokenizers.h"

namespace greater::tok {

struct Pipeline {
  std::string source;  // file name (or caller's label) for error messages

  AddedVocabulary added;                        // 1. matched first
  std::unique_ptr<Normalizer> normalizer;       // 2. null: none
  std::unique_ptr<PreTokenizer> pre_tokenizer;  // 3. null: the whole stretch is one word
  std::unique_ptr<Model> model;                 // 4.
  SpecialAffixes affixes;                       // 5. with add_special_tokens
  std::unique_ptr<Decoder> decoder;             // decode; null: tokens joined by " "

  std::vector<std::string> id_to_token;  // model vocabulary and added tokens; "" for unused ids
  std::vector<char> special;             // per id: an added token marked "special"
  std::unordered_map<std::string, TokenId> added_ids;  // added token content -> id
};

// Builds the pipeline from tokenizer.json text (tokenizer_json.cpp); `source` names it in errors.
Pipeline load_tokenizer_json(const std::string& json_text, const std::string& source);

}  // namespace greater::tok
