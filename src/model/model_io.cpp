// Transformer weights: loading a Hugging Face folder, making random ones, saving.
#include <functional>
#include <mutex>

#include "greater/common/error.h"
#include "greater/common/file_util.h"
#include "greater/model/safetensors.h"
#include "greater/model/tensor_convert.h"
#include "greater/model/transformer.h"

namespace greater {

namespace {

// Visits every weight of the model with its Hugging Face name and expected shape. One list
// serves loading, random initialization and saving, so they cannot disagree.
using WeightVisitor =
    std::function<void(const std::string& name, std::vector<int64_t> shape, at::Tensor& slot)>;

void visit_weights(const ModelConfig& c, ModelWeights& w, const WeightVisitor& visit) {
  const int64_t q_dim = c.num_heads * c.head_dim, kv_dim = c.num_kv_heads * c.head_dim;
  visit("model.embed_tokens.weight", {c.vocab_size, c.hidden_size}, w.embed_tokens);
  w.layers.resize(c.num_layers);
  for (int64_t l = 0; l < c.num_layers; ++l) {
    LayerWeights& L = w.layers[l];
    const std::string p = "model.layers." + std::to_string(l) + ".";
    visit(p + "input_layernorm.weight", {c.hidden_size}, L.input_norm);
    visit(p + "self_attn.q_proj.weight", {q_dim, c.hidden_size}, L.q_proj);
    visit(p + "self_attn.k_proj.weight", {kv_dim, c.hidden_size}, L.k_proj);
    visit(p + "self_attn.v_proj.weight", {kv_dim, c.hidden_size}, L.v_proj);
    if (c.qkv_bias) {
      visit(p + "self_attn.q_proj.bias", {q_dim}, L.q_bias);
      visit(p + "self_attn.k_proj.bias", {kv_dim}, L.k_bias);
      visit(p + "self_attn.v_proj.bias", {kv_dim}, L.v_bias);
    }
    visit(p + "self_attn.o_proj.weight", {c.hidden_size, q_dim}, L.o_proj);
    if (c.o_bias) visit(p + "self_attn.o_proj.bias", {c.hidden_size}, L.o_bias);
    visit(p + "post_attention_layernorm.weight", {c.hidden_size}, L.post_attention_norm);
    if (c.sandwich_norms) {
      visit(p + "pre_feedforward_layernorm.weight", {c.hidden_size}, L.pre_feedforward_norm);
      visit(p + "post_feedforward_layernorm.weight", {c.hidden_size}, L.post_feedforward_norm);
    }
    visit(p + "mlp.gate_proj.weight", {c.intermediate_size, c.hidden_size}, L.gate_proj);
    visit(p + "mlp.up_proj.weight", {c.intermediate_size, c.hidden_size}, L.up_proj);
    visit(p + "mlp.down_proj.weight", {c.hidden_size, c.intermediate_size}, L.down_proj);
    if (c.mlp_bias) {
      visit(p + "mlp.gate_proj.bias", {c.intermediate_size}, L.gate_bias);
      visit(p + "mlp.up_proj.bias", {c.intermediate_size}, L.up_bias);
      visit(p + "mlp.down_proj.bias", {c.hidden_size}, L.down_bias);
    }
  }
  visit("model.norm.weight", {c.hidden_size}, w.final_norm);
  if (!c.tie_word_embeddings) visit("lm_head.weight", {c.vocab_size, c.hidden_size}, w.lm_head);
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

}  // namespace

Transformer Transformer::load(const std::string& folder, at::Device device, at::ScalarType dtype) {
  const ModelConfig config = load_model_config(join_path(folder, "config.json"));
  const CheckpointFiles files = CheckpointFiles::open_folder(folder);
  ModelWeights weights;
  visit_weights(
      config, weights, [&](const std::string& name, std::vector<int64_t> shape, at::Tensor& slot) {
        const TensorView& view = files.tensor(name);
        if (view.shape != shape)
          throw Error(view.file + ": tensor " + name,
                      "shape " + shape_text(view.shape) +
                          " disagrees with config.json, which implies " + shape_text(shape));
        slot = tensor_from_view(view, dtype, device);
      });
  if (config.tie_word_embeddings) weights.lm_head = weights.embed_tokens;
  return Transformer(config, std::move(weights));
}

Transformer Transformer::random(const ModelConfig& config, uint64_t seed, at::Device device,
                                at::ScalarType dtype) {
  // On a GPU the weights are drawn there, from its seeded generator: one CPU stream would take
  // minutes for 8B parameters. So a seed gives the same weights on every run of one device kind.
  at::Generator generator = device.is_cuda() ? at::globalContext().defaultGenerator(device)
                                             : at::detail::createCPUGenerator(seed);
  if (device.is_cuda()) {
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_current_seed(seed);
  }
  const at::TensorOptions drawn = at::TensorOptions().device(device).dtype(at::kFloat);
  ModelWeights weights;
  visit_weights(
      config, weights, [&](const std::string& name, std::vector<int64_t> shape, at::Tensor& slot) {
        const bool is_norm = name.find("norm") != std::string::npos;
        const bool is_bias = name.size() > 5 && name.compare(name.size() - 5, 5, ".bias") == 0;
        at::Tensor t;
        if (is_norm) {
          // Neutral norms: Gemma's (1 + w) form wants zeros, Llama's w form ones.
          t = config.norm_plus_one ? at::zeros(shape) : at::ones(shape);
        } else if (is_bias) {
          t = at::zeros(shape);
        } else {
          t = at::normal(0.0, 0.02, shape, generator, drawn);
        }
        slot = t.to(device, dtype);
      });
  if (config.tie_word_embeddings) weights.lm_head = weights.embed_tokens;
  return Transformer(config, std::move(weights));
}

void Transformer::save(const std::string& folder) const {
  std::vector<TensorData> tensors;
  ModelWeights copy = weights_;
  visit_weights(config_, copy,
                [&](const std::string& name, std::vector<int64_t>, at::Tensor& slot) {
                  tensors.push_back(tensor_to_data(name, slot.to(at::kFloat)));
                });
  write_safetensors(join_path(folder, "model.safetensors"), tensors, {{"format", "pt"}});
  ModelConfig saved = config_;
  saved.torch_dtype = "float32";
  write_file_atomic(join_path(folder, "config.json"), model_config_to_json(saved));
}

}  // namespace greater
