// A Hugging Face config.json, reduced to the switches our one transformer needs.
//
// Families: llama, mistral, qwen2 (Llama-like) and gemma2. Both the old rope_theta/rope_scaling
// keys and transformers v5's rope_parameters are read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace greater {

enum class ModelFamily { Llama, Mistral, Qwen2, Gemma2 };

struct RopeConfig {
  double theta = 10000.0;
  std::string type = "default";  // "default" or "llama3"
  double factor = 1.0;
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;
  int64_t original_max_position_embeddings = 8192;
};

struct ModelConfig {
  std::string model_type;  // as written in config.json
  ModelFamily family = ModelFamily::Llama;

  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_layers = 0;
  int64_t num_heads = 0;
  int64_t num_kv_heads = 0;  // grouped-query attention; equals num_heads when absent
  int64_t head_dim = 0;      // hidden_size / num_heads when absent
  int64_t max_position_embeddings = 0;
  double rms_norm_eps = 1e-6;
  RopeConfig rope;
  bool tie_word_embeddings = false;

  bool qkv_bias = false;  // llama attention_bias, qwen2 always
  bool o_bias = false;    // llama attention_bias only
  bool mlp_bias = false;
  std::string hidden_act = "silu";  // "silu" or "gelu_pytorch_tanh"

  // Gemma-2 switches (all off for Llama-like families).
  bool norm_plus_one = false;       // RMSNorm scales by (1 + w) and casts after the multiply
  bool sandwich_norms = false;      // post-attention and pre/post-feedforward norms
  bool scale_embeddings = false;    // embeddings times sqrt(hidden) in the activation dtype
  double attn_logit_softcap = 0.0;  // 0 = off
  double final_logit_softcap = 0.0;
  double query_pre_attn_scalar = 0.0;  // attention scale is this ** -0.5 (0: head_dim)

  int64_t sliding_window = 0;            // 0 = none
  std::vector<bool> layer_uses_sliding;  // one per layer

  int64_t bos_token_id = -1;
  std::vector<int64_t> eos_token_ids;
  int64_t pad_token_id = -1;
  std::string torch_dtype;  // "float32", "bfloat16", ... as stored (informational)

  double attention_scale() const;
};

// Parses config.json text; `source` names the file in errors ("config.json: field ...").
ModelConfig parse_model_config(const std::string& json_text, const std::string& source);
ModelConfig load_model_config(const std::string& path);

// config.json text that parse_model_config reads back to the same config (model_type llama or
// gemma2), written in the transformers 4.x key style that the Hub uses.
std::string model_config_to_json(const ModelConfig& config);

}  // namespace greater
