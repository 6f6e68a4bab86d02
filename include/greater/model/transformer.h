// One decoder-only transformer for the Llama-3 and Gemma-2 families (and Llama-like relatives
// such as Qwen2 and Mistral). Family differences are switches in ModelConfig, not copies.
//
// Attention is written by hand (no fused kernel) so that soft-capping, sliding windows and
// gradients with respect to input embeddings work the same on LibTorch 1.13 and 2.x.
#pragma once

#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "greater/model/kv_cache.h"
#include "greater/model/model_config.h"

namespace greater {

struct LayerWeights {
  at::Tensor input_norm;              // [hidden]
  at::Tensor q_proj, k_proj, v_proj;  // [heads*head_dim, hidden], [kv*head_dim, hidden] x2
  at::Tensor q_bias, k_bias, v_bias;  // undefined unless config.qkv_bias
  at::Tensor o_proj, o_bias;          // [hidden, heads*head_dim]; bias only if o_bias
  at::Tensor post_attention_norm;     // Llama: pre-MLP norm. Gemma-2: norms the attention output
  at::Tensor pre_feedforward_norm;    // Gemma-2 only
  at::Tensor post_feedforward_norm;   // Gemma-2 only
  at::Tensor gate_proj, up_proj;      // [ffn, hidden]
  at::Tensor down_proj;               // [hidden, ffn]
  at::Tensor gate_bias, up_bias, down_bias;  // only if config.mlp_bias
};

struct ModelWeights {
  at::Tensor embed_tokens;  // [vocab, hidden]
  std::vector<LayerWeights> layers;
  at::Tensor final_norm;  // [hidden]
  at::Tensor lm_head;     // [vocab, hidden]; the same tensor as embed_tokens when tied
};

// Inputs of one forward pass over a batch of B sequences of T new tokens each.
struct ForwardInput {
  at::Tensor embeds;          // [B, T, hidden], unscaled token embeddings (see embed())
  at::Tensor positions;       // [B, T] int64 RoPE positions
  at::Tensor attention_mask;  // [B, S_total] 1 = real token, 0 = padding; S_total = cached + T.
                              // Undefined: every key is real.
};

class Transformer {
 public:
  // Loads config.json and the safetensors weights of a Hugging Face model folder into `dtype`
  // on `device`. Errors name the file and the tensor.
  static Transformer load(const std::string& folder, at::Device device, at::ScalarType dtype);
  // Random weights of the given shape, seeded (for tests and benchmarks).
  static Transformer random(const ModelConfig& config, uint64_t seed, at::Device device,
                            at::ScalarType dtype);

  Transformer(ModelConfig config, ModelWeights weights);

  const ModelConfig& config() const { return config_; }
  const ModelWeights& weights() const { return weights_; }
  at::Device device() const { return weights_.embed_tokens.device(); }
  at::ScalarType dtype() const { return weights_.embed_tokens.scalar_type(); }

  // Token ids [B, T] int64 -> unscaled embeddings [B, T, hidden]. The gradient of a loss with
  // respect to these is what the optimizer multiplies with candidate embeddings.
  at::Tensor embed(const at::Tensor& ids) const;

  // Logits [B, T, vocab] in the model dtype. When `cache` is given, keys and values of these T
  // tokens are appended to it and attention covers the cached ones too.
  at::Tensor forward(const ForwardInput& input, KVCache* cache = nullptr,
                     std::vector<at::Tensor>* hidden_states = nullptr) const;

  // The same pass split in two, so callers can apply the LM head to the rows they need only:
  // final normed hidden states [B, T, hidden], and logits [..., vocab] of any such rows.
  at::Tensor final_hidden(const ForwardInput& input, KVCache* cache = nullptr,
                          std::vector<at::Tensor>* hidden_states = nullptr) const;
  at::Tensor lm_head(const at::Tensor& hidden) const;

  // Convenience: ids [B, T] with positions 0..T-1 and no padding.
  at::Tensor forward_ids(const at::Tensor& ids) const;

  KVCache make_cache(int64_t batch, int64_t capacity) const;

  // Every weight tensor (for an optimizer), in a fixed order; tied weights appear once.
  std::vector<at::Tensor> parameters() const;
  int64_t parameter_count() const;

  // Writes config.json and model.safetensors (F32) into an existing folder.
  void save(const std::string& folder) const;

  // LibTorch's scaled_dot_product_attention (fused kernels, no score matrix or mask copy in
  // memory) instead of the attention written out. On by default on CUDA where the build has it
  // (LibTorch >= 2.5); layers with soft-capped attention logits (Gemma-2) always use the
  // written-out attention, which the fused kernels cannot express. Turning it on in a build
  // without it throws.
  static bool fused_attention_available();
  void set_fused_attention(bool on);
  bool fused_attention() const { return fused_attention_; }

 private:
  at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight) const;
  at::Tensor attention(const LayerWeights& w, int64_t layer, const at::Tensor& x,
                       const at::Tensor& cos, const at::Tensor& sin, const at::Tensor& mask,
                       KVCache* cache) const;
  at::Tensor fused_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                             const at::Tensor& mask) const;
  at::Tensor mlp(const LayerWeights& w, const at::Tensor& x) const;
  // Adds one pass over `steps` new tokens per sequence to compute_counter().
  void count_pass(int64_t batch, int64_t steps, int64_t cached, int64_t element_size,
                  bool cached_decode) const;

  ModelConfig config_;
  ModelWeights weights_;
  at::Tensor inv_freq_;  // [head_dim / 2] float32 on the model's device
  bool fused_attention_ = false;
};

}  // namespace greater
