// Tokenizers of model files: a tokenizer.json, or the tokenizer stored in a GGUF file's
// metadata (docs/GGUF.md).
#pragma once

#include <string>

#include "greater/model/gguf.h"
#include "greater/tokenizer/tokenizer.h"

namespace greater {

// The tokenizer.json equivalent of a GGUF file's tokenizer.ggml.* metadata: model "gpt2"
// (byte-level BPE) with tokens, merges and token types; control tokens become special added
// tokens; tokenizer.ggml.pre names the split regexes (llama.cpp's names); add_bos_token decides
// the BOS. Errors name the file and the key.
std::string gguf_tokenizer_json(const GgufFile& file);

// `path` is a tokenizer.json, a .gguf file, or a model folder (its tokenizer.json, else its one
// .gguf file).
Tokenizer load_tokenizer(const std::string& path);

}  // namespace greater
