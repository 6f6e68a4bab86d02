// A llama-architecture GGUF file seen as a Hugging Face checkpoint: its metadata as a
// ModelConfig, its tensors under transformers' names, in float32 and in transformers' row
// order (docs/GGUF.md).
#pragma once

#include <string>
#include <vector>

#include "greater/model/gguf.h"
#include "greater/model/model_config.h"

namespace greater {

// general.architecture must be "llama". Errors name the file and the key.
ModelConfig gguf_model_config(const GgufFile& file);

// "model.layers.3.self_attn.q_proj.weight" -> "blk.3.attn_q.weight"; throws for a name that
// has no GGUF counterpart.
std::string gguf_tensor_name(const std::string& hf_name);

// The Hugging Face tensor `hf_name`, dequantized to float32, with llama.cpp's rotary row
// permutation of q_proj/k_proj undone. Checks the shape against `expected` (PyTorch order).
std::vector<float> read_gguf_tensor(const GgufFile& file, const ModelConfig& config,
                                    const std::string& hf_name,
                                    const std::vector<int64_t>& expected);

// The chat template of a model: tokenizer.chat_template of a GGUF file (or of the one .gguf in
// a folder), else "chat_template" of the folder's tokenizer_config.json; "" when neither has one.
std::string read_chat_template(const std::string& model_path);

}  // namespace greater
