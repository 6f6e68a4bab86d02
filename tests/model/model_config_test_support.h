// Shared by the config.json tests: fixtures, error expectations, config comparison.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "greater/common/error.h"
#include "greater/model/model_config.h"

namespace greater {
namespace {

using json = nlohmann::json;

const std::string kConfigs = std::string(GREATER_SOURCE_DIR) + "/tests/fixtures/configs";

inline ModelConfig load_fixture(const std::string& name) {
  return load_model_config(kConfigs + "/" + name);
}

template <typename Action>
inline void expect_error(Action action, const std::vector<std::string>& phrases) {
  try {
    action();
    ADD_FAILURE() << "no error; expected one mentioning '" << phrases.at(0) << "'";
  } catch (const Error& e) {
    const std::string message = e.what();
    for (const std::string& phrase : phrases) {
      EXPECT_NE(message.find(phrase), std::string::npos)
          << "message: " << message << "\nmissing: " << phrase;
    }
  }
}

inline void expect_same_config(const ModelConfig& a, const ModelConfig& b) {
  EXPECT_EQ(a.model_type, b.model_type);
  EXPECT_EQ(a.family, b.family);
  EXPECT_EQ(a.vocab_size, b.vocab_size);
  EXPECT_EQ(a.hidden_size, b.hidden_size);
  EXPECT_EQ(a.intermediate_size, b.intermediate_size);
  EXPECT_EQ(a.num_layers, b.num_layers);
  EXPECT_EQ(a.num_heads, b.num_heads);
  EXPECT_EQ(a.num_kv_heads, b.num_kv_heads);
  EXPECT_EQ(a.head_dim, b.head_dim);
  EXPECT_EQ(a.max_position_embeddings, b.max_position_embeddings);
  EXPECT_EQ(a.rms_norm_eps, b.rms_norm_eps);
  EXPECT_EQ(a.rope.theta, b.rope.theta);
  EXPECT_EQ(a.rope.type, b.rope.type);
  EXPECT_EQ(a.rope.factor, b.rope.factor);
  EXPECT_EQ(a.rope.low_freq_factor, b.rope.low_freq_factor);
  EXPECT_EQ(a.rope.high_freq_factor, b.rope.high_freq_factor);
  EXPECT_EQ(a.rope.original_max_position_embeddings, b.rope.original_max_position_embeddings);
  EXPECT_EQ(a.tie_word_embeddings, b.tie_word_embeddings);
  EXPECT_EQ(a.qkv_bias, b.qkv_bias);
  EXPECT_EQ(a.o_bias, b.o_bias);
  EXPECT_EQ(a.mlp_bias, b.mlp_bias);
  EXPECT_EQ(a.hidden_act, b.hidden_act);
  EXPECT_EQ(a.norm_plus_one, b.norm_plus_one);
  EXPECT_EQ(a.sandwich_norms, b.sandwich_norms);
  EXPECT_EQ(a.scale_embeddings, b.scale_embeddings);
  EXPECT_EQ(a.attn_logit_softcap, b.attn_logit_softcap);
  EXPECT_EQ(a.final_logit_softcap, b.final_logit_softcap);
  EXPECT_EQ(a.query_pre_attn_scalar, b.query_pre_attn_scalar);
  EXPECT_EQ(a.sliding_window, b.sliding_window);
  EXPECT_EQ(a.layer_uses_sliding, b.layer_uses_sliding);
  EXPECT_EQ(a.bos_token_id, b.bos_token_id);
  EXPECT_EQ(a.eos_token_ids, b.eos_token_ids);
  EXPECT_EQ(a.pad_token_id, b.pad_token_id);
  EXPECT_EQ(a.torch_dtype, b.torch_dtype);
}

inline void expect_llama_like_switches(const ModelConfig& c) {
  EXPECT_FALSE(c.norm_plus_one);
  EXPECT_FALSE(c.sandwich_norms);
  EXPECT_FALSE(c.scale_embeddings);
  EXPECT_EQ(c.attn_logit_softcap, 0.0);
  EXPECT_EQ(c.final_logit_softcap, 0.0);
  EXPECT_EQ(c.query_pre_attn_scalar, 0.0);
}

inline std::vector<bool> alternating(int64_t n) {  // Gemma 2: even layers slide
  std::vector<bool> out;
  for (int64_t i = 0; i < n; ++i) out.push_back(i % 2 == 0);
  return out;
}

// A small Llama config to edit in the error and default tests.
inline json tiny_llama() {
  return {{"model_type", "llama"},    {"vocab_size", 96},       {"hidden_size", 64},
          {"intermediate_size", 160}, {"num_hidden_layers", 2}, {"num_attention_heads", 4},
          {"num_key_value_heads", 2}};
}

inline ModelConfig parse(const json& j) { return parse_model_config(j.dump(), "config.json"); }

// ---- real configs ----

}  // namespace
}  // namespace greater
