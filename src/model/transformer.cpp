#include "greater/model/transformer.h"

#include <cmath>
#include <limits>

#include "greater/common/error.h"
#include "greater/model/compute_counter.h"
#include "greater/model/rope.h"

namespace greater {

// The same [out, in] matrix to every reader, stored input-major ([in, out] in memory). On the
// CPU, OpenBLAS packs a weight for every product, and a product with the transpose of an
// input-major weight packs it with contiguous reads: measured 1.2-1.9x faster for SmolLM2's LM
// head at decode batch sizes 1 to 48 (docs/RESULTS.md). CUDA's GEMMs take either layout at the
// same speed, so weights stay as loaded there. So do bfloat16 and float16 ones: LibTorch's own
// CPU kernels for them lose precision with that layout (the transformers parity test measured
// twice the bf16 rounding error).
static void store_input_major(at::Tensor& w) {
  if (w.defined() && w.dim() == 2 && w.is_contiguous() && w.scalar_type() == at::kFloat)
    w = w.t().contiguous().t();
}

static void use_cpu_layout(ModelWeights& weights) {
  for (LayerWeights& w : weights.layers)
    for (at::Tensor* t : {&w.q_proj, &w.k_proj, &w.v_proj, &w.o_proj, &w.gate_proj, &w.up_proj,
                          &w.down_proj})
      store_input_major(*t);
  const bool tied = weights.lm_head.is_same(weights.embed_tokens);
  store_input_major(weights.lm_head);
  if (tied) weights.embed_tokens = weights.lm_head;  // lookups read strided rows: a few per step
}

Transformer::Transformer(ModelConfig config, ModelWeights weights)
    : config_(std::move(config)), weights_(std::move(weights)) {
  if (weights_.embed_tokens.device().is_cpu()) use_cpu_layout(weights_);
  fused_attention_ = fused_attention_available() && weights_.embed_tokens.device().is_cuda();
  inv_freq_ =
      rope_inverse_frequencies(config_.rope, config_.head_dim).to(weights_.embed_tokens.device());
}

at::Tensor Transformer::embed(const at::Tensor& ids) const {
  return at::embedding(weights_.embed_tokens, ids);
}

at::Tensor Transformer::rms_norm(const at::Tensor& x, const at::Tensor& weight) const {
  // Statistics in fp32 as transformers does; the families differ in where the cast back happens.
  const at::Tensor x32 = x.to(at::kFloat);
  const at::Tensor normed = x32 * at::rsqrt(x32.pow(2).mean(-1, true) + config_.rms_norm_eps);
  if (config_.norm_plus_one) return (normed * (1.0 + weight.to(at::kFloat))).to(x.scalar_type());
  return normed.to(x.scalar_type()) * weight;
}

// x [..., in] · wᵀ (+ b) -> [..., out]. A single row on the CPU (batch-1 decoding) is a
// matrix-vector product: OpenBLAS's gemv streams the weight once where gemm would first pack it
// (2-5x faster per product for SmolLM2's weights, measured).
static at::Tensor linear(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
  if (x.is_cpu() && x.numel() == x.size(-1) && x.scalar_type() == at::kFloat) {
    std::vector<int64_t> shape = x.sizes().vec();
    shape.back() = w.size(0);
    at::Tensor y = at::mv(w, x.reshape({-1}));
    if (b.defined()) y = y + b;
    return y.view(shape);
  }
  return b.defined() ? at::linear(x, w, b) : at::matmul(x, w.t());
}

static at::Tensor rotate_half(const at::Tensor& x) {
  const int64_t half = x.size(-1) / 2;
  return at::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

static at::Tensor soft_cap(const at::Tensor& x, double cap) { return at::tanh(x / cap) * cap; }

at::Tensor Transformer::attention(const LayerWeights& w, int64_t layer, const at::Tensor& x,
                                  const at::Tensor& cos, const at::Tensor& sin,
                                  const at::Tensor& mask, KVCache* cache) const {
  const int64_t batch = x.size(0), steps = x.size(1);
  const int64_t heads = config_.num_heads, kv_heads = config_.num_kv_heads;
  const int64_t head_dim = config_.head_dim, group = heads / kv_heads;

  // [B, T, hidden] -> [B, heads, T, head_dim]
  auto split_heads = [&](const at::Tensor& t, int64_t n) {
    return t.view({batch, steps, n, head_dim}).transpose(1, 2);
  };
  at::Tensor q = split_heads(linear(x, w.q_proj, w.q_bias), heads);
  at::Tensor k = split_heads(linear(x, w.k_proj, w.k_bias), kv_heads);
  at::Tensor v = split_heads(linear(x, w.v_proj, w.v_bias), kv_heads);
  q = q * cos + rotate_half(q) * sin;
  k = k * cos + rotate_half(k) * sin;
  if (cache) std::tie(k, v) = cache->append(layer, k, v);

  if (fused_attention_ && config_.attn_logit_softcap <= 0)
    return linear(fused_attention(q, k, v, mask), w.o_proj, w.o_bias);

  // Grouped-query attention without copying keys: the `group` query heads that share a key
  // head are stacked as rows of one [B, kv_heads, group * T, head_dim] matrix (a view of q), so
  // each product is a plain batched product with the cache's own keys and values. (Broadcasting
  // a [B, kv, 1, S, hd] key over the group instead makes at::matmul copy the keys `group` times
  // on every call.)
  const at::Tensor q_rows = q.reshape({batch, kv_heads, group * steps, head_dim});
  at::Tensor scores = at::matmul(q_rows, k.transpose(-1, -2)) * config_.attention_scale();
  if (config_.attn_logit_softcap > 0) scores = soft_cap(scores, config_.attn_logit_softcap);
  // mask: [B, 1, 1, T, S] true where attention is allowed; scores viewed as [B, kv, G, T, S].
  // Masked in fp32, where the lowest finite value exists for every activation dtype; a finite
  // fill keeps fully masked (left-padding) rows free of NaN.
  scores = scores.to(at::kFloat)
               .view({batch, kv_heads, group, steps, -1})
               .masked_fill(mask.logical_not(), std::numeric_limits<float>::lowest());
  const at::Tensor probs =
      at::softmax(scores, -1).to(q.scalar_type()).view({batch, kv_heads, group * steps, -1});
  const at::Tensor out = at::matmul(probs, v)  // [B, kv, G * T, hd]
                             .view({batch, heads, steps, head_dim})
                             .transpose(1, 2)
                             .reshape({batch, steps, heads * head_dim});
  return linear(out, w.o_proj, w.o_bias);
}

bool Transformer::fused_attention_available() {
#ifdef GREATER_HAVE_FUSED_ATTENTION
  return true;
#else
  return false;
#endif
}

void Transformer::set_fused_attention(bool on) {
  if (on && !fused_attention_available())
    throw Error("fused attention", "this build's LibTorch is older than 2.5 (no enable_gqa)");
  fused_attention_ = on;
}

// q [B, heads, T, hd], k and v [B, kv_heads, S, hd], mask [B, 1, 1, T, S] -> [B, T, hidden].
at::Tensor Transformer::fused_attention(const at::Tensor& q, const at::Tensor& k,
                                        const at::Tensor& v, const at::Tensor& mask) const {
#ifdef GREATER_HAVE_FUSED_ATTENTION
  // A query that may see no key (a left-padding row) would give NaN, and NaN values times a
  // zero weight still poison the real rows that skip them. Such a row sees every key instead:
  // its output, like the written-out attention's uniform average, is read by no real row.
  const at::Tensor allowed = mask.squeeze(2);  // [B, 1, T, S]
  const at::Tensor safe = allowed.logical_or(allowed.any(-1, true).logical_not());
  const bool grouped = config_.num_kv_heads != config_.num_heads;
  const at::Tensor out = at::scaled_dot_product_attention(q, k, v, safe, 0.0, false,
                                                          config_.attention_scale(), grouped);
  return out.transpose(1, 2).reshape({q.size(0), q.size(2), q.size(1) * q.size(3)});
#else
  (void)q, (void)k, (void)v, (void)mask;
  throw Error("fused attention", "not in this build");
#endif
}

at::Tensor Transformer::mlp(const LayerWeights& w, const at::Tensor& x) const {
  at::Tensor gate = linear(x, w.gate_proj, w.gate_bias);
  gate = config_.hidden_act == "silu" ? at::silu(gate) : at::gelu(gate, "tanh");
  return linear(gate * linear(x, w.up_proj, w.up_bias), w.down_proj, w.down_bias);
}

// Which keys each query may see: causal by cache index, real keys only, and within the window
// for sliding layers. Returns [B, 1, 1, T, S] bool.
static at::Tensor attention_mask(const at::Tensor& key_is_real, int64_t cached, int64_t steps,
                                 int64_t window, at::Device device) {
  const int64_t keys = cached + steps;
  const auto index = at::TensorOptions().dtype(at::kLong).device(device);
  const at::Tensor query_index = at::arange(cached, keys, index).unsqueeze(1);  // [T, 1]
  const at::Tensor key_index = at::arange(0, keys, index).unsqueeze(0);         // [1, S]
  at::Tensor allowed = key_index <= query_index;
  if (window > 0) allowed = allowed.logical_and(query_index - key_index < window);
  allowed = allowed.view({1, 1, 1, steps, keys});
  if (key_is_real.defined())
    allowed = allowed.logical_and(key_is_real.view({-1, 1, 1, 1, keys}).to(at::kBool));
  return allowed;
}

at::Tensor Transformer::forward(const ForwardInput& input, KVCache* cache,
                                std::vector<at::Tensor>* hidden_states) const {
  return lm_head(final_hidden(input, cache, hidden_states));
}

at::Tensor Transformer::lm_head(const at::Tensor& hidden) const {
  const double rows = static_cast<double>(hidden.numel() / config_.hidden_size);
  const double weight = static_cast<double>(config_.vocab_size) * config_.hidden_size;
  compute_counter().add(2 * rows * weight, 0, weight * hidden.element_size(), false);
  at::Tensor logits = linear(hidden, weights_.lm_head, at::Tensor());
  if (config_.final_logit_softcap > 0) logits = soft_cap(logits, config_.final_logit_softcap);
  return logits;
}

at::Tensor Transformer::final_hidden(const ForwardInput& input, KVCache* cache,
                                     std::vector<at::Tensor>* hidden_states) const {
  const int64_t steps = input.embeds.size(1);
  const int64_t cached = cache ? cache->length() : 0;
  const at::Device device = input.embeds.device();
  count_pass(input.embeds.size(0), steps, cached, input.embeds.element_size(), cache != nullptr);

  at::Tensor x = input.embeds;
  if (config_.scale_embeddings) {
    // Gemma-2 rounds sqrt(hidden) to the activation dtype before multiplying.
    const double scale = std::sqrt(static_cast<double>(config_.hidden_size));
    x = x * at::scalar_tensor(scale, x.options()).to(x.scalar_type());
  }

  // RoPE tables in fp32, applied in the activation dtype: [B, 1, T, head_dim].
  const at::Tensor freqs = input.positions.to(at::kFloat).unsqueeze(-1) * inv_freq_;
  const at::Tensor angles = at::cat({freqs, freqs}, -1).unsqueeze(1);
  const at::Tensor cos = angles.cos().to(x.scalar_type());
  const at::Tensor sin = angles.sin().to(x.scalar_type());

  const at::Tensor full_mask = attention_mask(input.attention_mask, cached, steps, 0, device);
  at::Tensor window_mask;
  if (config_.sliding_window > 0)
    window_mask =
        attention_mask(input.attention_mask, cached, steps, config_.sliding_window, device);

  for (int64_t l = 0; l < config_.num_layers; ++l) {
    if (hidden_states) hidden_states->push_back(x);
    const LayerWeights& w = weights_.layers[l];
    const bool sliding = config_.sliding_window > 0 && config_.layer_uses_sliding[l];
    const at::Tensor& mask = sliding ? window_mask : full_mask;
    at::Tensor attn = attention(w, l, rms_norm(x, w.input_norm), cos, sin, mask, cache);
    if (config_.sandwich_norms) {
      x = x + rms_norm(attn, w.post_attention_norm);
      x = x + rms_norm(mlp(w, rms_norm(x, w.pre_feedforward_norm)), w.post_feedforward_norm);
    } else {
      x = x + attn;
      x = x + mlp(w, rms_norm(x, w.post_attention_norm));
    }
  }
  x = rms_norm(x, weights_.final_norm);
  if (hidden_states) hidden_states->push_back(x);
  return x;
}

void Transformer::count_pass(int64_t batch, int64_t steps, int64_t cached, int64_t element_size,
                             bool cached_decode) const {
  const ModelConfig& c = config_;
  const double q_out = c.num_heads * c.head_dim, kv_out = c.num_kv_heads * c.head_dim;
  const double layer_weights =
      c.hidden_size * (2 * q_out + 2 * kv_out) + 3.0 * c.hidden_size * c.intermediate_size;
  const double tokens = static_cast<double>(batch) * steps;
  const double keys = static_cast<double>(cached + steps);
  const double matmul = 2 * tokens * layer_weights * c.num_layers;
  const double attention = 4.0 * batch * c.num_heads * steps * keys * c.head_dim * c.num_layers;
  const double kv_bytes = 2.0 * batch * keys * kv_out * c.num_layers * element_size;
  const double weight_bytes = layer_weights * c.num_layers * element_size;
  compute_counter().add(matmul, attention, weight_bytes + kv_bytes, cached_decode && steps == 1);
}

at::Tensor Transformer::forward_ids(const at::Tensor& ids) const {
  ForwardInput input;
  input.embeds = embed(ids);
  input.positions = at::arange(ids.size(1), ids.options().dtype(at::kLong))
                        .unsqueeze(0)
                        .expand({ids.size(0), ids.size(1)});
  return forward(input);
}

KVCache Transformer::make_cache(int64_t batch, int64_t capacity) const {
  return KVCache(config_.num_layers, batch, config_.num_kv_heads, config_.head_dim, capacity,
                 weights_.embed_tokens.options().requires_grad(false));
}

std::vector<at::Tensor> Transformer::parameters() const {
  std::vector<at::Tensor> params{weights_.embed_tokens};
  for (const auto& w : weights_.layers) {
    for (const at::Tensor* t : {&w.input_norm, &w.q_proj, &w.k_proj, &w.v_proj, &w.q_bias,
                                &w.k_bias, &w.v_bias, &w.o_proj, &w.o_bias, &w.post_attention_norm,
                                &w.pre_feedforward_norm, &w.post_feedforward_norm, &w.gate_proj,
                                &w.up_proj, &w.down_proj, &w.gate_bias, &w.up_bias, &w.down_bias}) {
      if (t->defined()) params.push_back(*t);
    }
  }
  params.push_back(weights_.final_norm);
  if (!weights_.lm_head.is_same(weights_.embed_tokens)) params.push_back(weights_.lm_head);
  return params;
}

int64_t Transformer::parameter_count() const {
  int64_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

}  // namespace greater
