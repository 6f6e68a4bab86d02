// llama-architecture GGUF metadata -> ModelConfig, llama.cpp tensor names -> transformers'
// names, and the undoing of llama.cpp's Q/K row permutation (docs/GGUF.md).
#include "greater/model/gguf_model.h"

#include <cstring>
#include <nlohmann/json.hpp>

#include "greater/common/error.h"
#include "greater/common/file_util.h"

namespace greater {

namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// llama.cpp's converter stores the rows of each head's q/k projection in interleaved rotary
// order: GGUF row h*d + 2j + i holds HF row h*d + i*d/2 + j (i in {0, 1}, j < d/2), because
// its rope rotates adjacent pairs while transformers' rotates the two halves. Undo it.
std::vector<float> unpermute_rows(const std::vector<float>& gguf, int64_t heads, int64_t rows,
                                  int64_t cols) {
  std::vector<float> hf(gguf.size());
  const int64_t d = rows / heads, half = d / 2;
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t j = 0; j < half; ++j)
        std::memcpy(&hf[(h * d + i * half + j) * cols], &gguf[(h * d + 2 * j + i) * cols],
                    sizeof(float) * cols);
  return hf;
}

}  // namespace

ModelConfig gguf_model_config(const GgufFile& f) {
  const std::string arch = f.get_string("general.architecture");
  if (arch != "llama")
    throw Error(f.path() + ": key general.architecture",
                "unsupported architecture \"" + arch + "\" (supported: llama)");
  const std::string p = "llama.";
  auto positive = [&](const std::string& key, int64_t v) {
    if (v <= 0)
      throw Error(f.path() + ": key " + key, "must be positive, got " + std::to_string(v));
    return v;
  };
  ModelConfig c;
  c.model_type = "llama";
  c.family = ModelFamily::Llama;
  c.hidden_size = positive(p + "embedding_length", f.get_int(p + "embedding_length"));
  c.intermediate_size = positive(p + "feed_forward_length", f.get_int(p + "feed_forward_length"));
  c.num_layers = positive(p + "block_count", f.get_int(p + "block_count"));
  c.num_heads = positive(p + "attention.head_count", f.get_int(p + "attention.head_count"));
  c.num_kv_heads =
      f.has(p + "attention.head_count_kv") ? f.get_int(p + "attention.head_count_kv") : c.num_heads;
  positive(p + "attention.head_count_kv", c.num_kv_heads);
  if (c.num_heads % c.num_kv_heads != 0)
    throw Error(f.path() + ": key " + p + "attention.head_count_kv",
                std::to_string(c.num_kv_heads) + " does not divide the head count " +
                    std::to_string(c.num_heads));
  if (c.hidden_size % c.num_heads != 0)
    throw Error(f.path() + ": key " + p + "attention.head_count",
                "does not divide the embedding length " + std::to_string(c.hidden_size));
  c.head_dim = c.hidden_size / c.num_heads;
  if (f.has(p + "rope.dimension_count") && f.get_int(p + "rope.dimension_count") != c.head_dim)
    throw Error(f.path() + ": key " + p + "rope.dimension_count",
                "partial rotary embeddings are not supported (head dim " +
                    std::to_string(c.head_dim) + ")");
  if (f.has(p + "rope.scaling.type") && f.get_string(p + "rope.scaling.type") != "none")
    throw Error(f.path() + ": key " + p + "rope.scaling.type",
                "rope scaling \"" + f.get_string(p + "rope.scaling.type") + "\" is not supported");
  if (f.contains("rope_freqs.weight"))
    throw Error(f.path() + ": tensor rope_freqs.weight",
                "Llama-3.1 rope frequency factors are not supported");
  c.max_position_embeddings = f.has(p + "context_length") ? f.get_int(p + "context_length") : 2048;
  c.rope.theta = f.has(p + "rope.freq_base") ? f.get_float(p + "rope.freq_base") : 10000.0;
  c.rms_norm_eps = f.get_float(p + "attention.layer_norm_rms_epsilon");
  if (!(c.rms_norm_eps > 0))
    throw Error(f.path() + ": key " + p + "attention.layer_norm_rms_epsilon", "must be positive");
  c.vocab_size = f.contains("token_embd.weight") ? f.tensor("token_embd.weight").dims.back()
                                                 : f.get_int(p + "vocab_size");
  c.tie_word_embeddings = !f.contains("output.weight");
  c.qkv_bias = c.o_bias = f.contains("blk.0.attn_q.bias");
  c.mlp_bias = f.contains("blk.0.ffn_up.bias");
  c.hidden_act = "silu";
  c.layer_uses_sliding.assign(static_cast<size_t>(c.num_layers), false);
  if (f.has("tokenizer.ggml.bos_token_id"))
    c.bos_token_id = f.get_int("tokenizer.ggml.bos_token_id");
  if (f.has("tokenizer.ggml.eos_token_id"))
    c.eos_token_ids.push_back(f.get_int("tokenizer.ggml.eos_token_id"));
  if (f.has("tokenizer.ggml.padding_token_id"))
    c.pad_token_id = f.get_int("tokenizer.ggml.padding_token_id");
  c.torch_dtype = "float32";
  return c;
}

std::string gguf_tensor_name(const std::string& hf) {
  if (hf == "model.embed_tokens.weight") return "token_embd.weight";
  if (hf == "model.norm.weight") return "output_norm.weight";
  if (hf == "lm_head.weight") return "output.weight";
  const std::string layers = "model.layers.";
  if (hf.rfind(layers, 0) == 0) {
    const size_t dot = hf.find('.', layers.size());
    const std::string index = hf.substr(layers.size(), dot - layers.size());
    const std::string rest = dot == std::string::npos ? "" : hf.substr(dot + 1);
    static const std::pair<const char*, const char*> kParts[] = {
        {"input_layernorm", "attn_norm"},    {"self_attn.q_proj", "attn_q"},
        {"self_attn.k_proj", "attn_k"},      {"self_attn.v_proj", "attn_v"},
        {"self_attn.o_proj", "attn_output"}, {"post_attention_layernorm", "ffn_norm"},
        {"mlp.gate_proj", "ffn_gate"},       {"mlp.up_proj", "ffn_up"},
        {"mlp.down_proj", "ffn_down"}};
    for (const auto& [from, to] : kParts) {
      const std::string f = std::string(from) + ".";
      if (rest.rfind(f, 0) == 0) return "blk." + index + "." + to + "." + rest.substr(f.size());
    }
  }
  throw Error("gguf", "no GGUF tensor corresponds to " + hf);
}

std::vector<float> read_gguf_tensor(const GgufFile& f, const ModelConfig& c,
                                    const std::string& hf_name,
                                    const std::vector<int64_t>& expected) {
  const std::string name = gguf_tensor_name(hf_name);
  if (!f.contains(name)) throw Error(f.path(), "has no tensor " + name + " (" + hf_name + ")");
  const GgufTensor& t = f.tensor(name);
  if (t.torch_shape() != expected)
    throw Error(f.path() + ": tensor " + name, "shape " + shape_text(t.torch_shape()) +
                                                   " disagrees with the metadata, which implies " +
                                                   shape_text(expected));
  std::vector<float> values = dequantize(t, f.path());
  const bool is_q = hf_name.find("self_attn.q_proj.") != std::string::npos;
  const bool is_k = hf_name.find("self_attn.k_proj.") != std::string::npos;
  if (is_q || is_k) {
    const int64_t rows = expected[0];
    const int64_t cols = expected.size() > 1 ? expected[1] : 1;
    values = unpermute_rows(values, is_q ? c.num_heads : c.num_kv_heads, rows, cols);
  }
  return values;
}

std::string read_chat_template(const std::string& model_path) {
  const std::string gguf = find_gguf(model_path);
  if (!gguf.empty()) {
    auto f = GgufFile::open(gguf);
    return f->has("tokenizer.chat_template") ? f->get_string("tokenizer.chat_template") : "";
  }
  const std::string config = join_path(model_path, "tokenizer_config.json");
  if (!file_exists(config)) return "";
  const auto j = nlohmann::json::parse(read_file(config), nullptr, false);
  if (j.is_discarded()) throw Error(config, "not valid JSON");
  const auto it = j.find("chat_template");
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace greater
